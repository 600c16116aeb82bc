import { isStoreUnavailable } from '@mailbus/mongo-dal';
import { isBusUnavailable } from '@mailbus/nats-transport';

/** How deep a chain of causes is followed: wrappers add one level or two. */
const MAX_CAUSES = 5;

/** True when the error or one of its causes (Error.cause, a few levels deep) passes the test. */
export function someCause(error: unknown, test: (cause: Error) => boolean): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth <= MAX_CAUSES; depth++, current = current.cause) if (test(current)) return true;
  return false;
}

export type Dependency = 'database' | 'message bus';

/** Which of mailbus's own dependencies is away when that is why `error` happened; undefined otherwise. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  if (someCause(error, isStoreUnavailable)) return 'database';
  if (someCause(error, isBusUnavailable)) return 'message bus';
  return undefined;
}

/** True when the store or NATS is away: the operation will work once it is back (JetStreamModuleOptions.isOutage). */
export const isDependencyOutage = (error: unknown): boolean => unavailableDependency(error) !== undefined;

/**
 * What to tell a caller whose request failed because the store or NATS did: which dependency is
 * away, not its error text (that goes to the log). Undefined for any other failure.
 */
export function dependencyUnavailableMessage(error: unknown): string | undefined {
  const dependency = unavailableDependency(error);
  return dependency && unavailableText(dependency);
}

/** The caller's text for a dependency that is away. */
export const unavailableText = (dependency: Dependency): string => `mailbus's ${dependency} is unavailable; try again shortly`;
