import { isStoreError } from '@mailbus/mongo-dal';
import { isBusError } from '@mailbus/nats-transport';

/**
 * What to tell a caller whose request failed because the store or NATS did: which dependency is
 * away, not its error text (that goes to the log). Undefined for any other failure.
 */
export function dependencyUnavailableMessage(error: unknown): string | undefined {
  const dependency = isStoreError(error) ? 'database' : isBusError(error) ? 'message bus' : undefined;
  return dependency && `mailbus's ${dependency} is unavailable; try again shortly`;
}
