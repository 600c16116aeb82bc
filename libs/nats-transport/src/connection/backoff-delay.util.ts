/**
 * Capped exponential backoff with "equal jitter": half of the step is fixed, half random, so replicas
 * that lost the server together do not come back in lockstep.
 * @example backoffDelay({ attempt: 3, initialMs: 250, maxMs: 10_000 }) // between 500 and 1000
 */
export function backoffDelay({ attempt, initialMs, maxMs, random = Math.random }: { attempt: number; initialMs: number; maxMs: number; random?: () => number }): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
