/**
 * Capped exponential backoff with "equal jitter": half of the exponential step is fixed, half random.
 * The fixed half keeps a floor under the delay; the random half spreads replicas that failed together.
 * @example backoffDelay({ attempt: 3, initialMs: 500, maxMs: 10_000 }) // between 1000 and 2000
 */
export function backoffDelay({ attempt, initialMs, maxMs, random = Math.random }: { attempt: number; initialMs: number; maxMs: number; random?: () => number }): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
