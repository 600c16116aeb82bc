import { isStoreError } from '@mailbus/mongo-dal';
import { isBusError } from '@mailbus/nats-transport';

/** How deep a chain of causes is followed: wrappers add one level or two. */
const MAX_CAUSES = 5;

/**
 * True when a run failed because mailbus's own store or NATS did (an outage, a restart, a refused
 * write), not because of the mail server or the account's settings: see stateAfterInterruption.
 */
export function isMailbusFailure(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth <= MAX_CAUSES; depth++, current = current.cause) if (isStoreError(current) || isBusError(current)) return true;
  return false;
}
