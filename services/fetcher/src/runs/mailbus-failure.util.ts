import { isStoreError } from '@mailbus/mongo-dal';
import { isBusError } from '@mailbus/nats-transport';
import { someCause } from '@mailbus/service-runtime';

/**
 * True when a run failed because mailbus's own store or NATS did (an outage, a restart, a refused
 * write), not because of the mail server or the account's settings: see stateAfterInterruption.
 * Wider than isDependencyOutage on purpose: any store failure ends the run without blaming the account.
 */
export function isMailbusFailure(error: unknown): boolean {
  return someCause(error, (cause) => isStoreError(cause) || isBusError(cause));
}
