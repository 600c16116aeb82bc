/** How long a message keeps retrying after its first attempt. */
export const DEFAULT_SEND_HORIZON_MS = 24 * 60 * 60_000;
/** The delay ceiling of the first retry; it doubles with each attempt. */
export const DEFAULT_RETRY_BASE_MS = 60_000;
export const DEFAULT_RETRY_MAX_DELAY_MS = 60 * 60_000;

export interface NextAttemptInput {
  /** Attempts made so far, the failed one included (1 after the first failure). */
  attempt: number;
  firstAttemptAt: Date;
  now: Date;
  horizonMs?: number;
  baseMs?: number;
  maxDelayMs?: number;
  /** In [0, 1); injected so that tests are deterministic. */
  random?: () => number;
}

export type NextAttempt = { at: Date } | { giveUp: true };

/**
 * When to retry a send that failed with a retrying error: exponential backoff with full jitter
 * (a delay anywhere in [0, min(maxDelayMs, baseMs · 2^(attempt-1))) ), so that messages a provider
 * deferred together do not come back together. The last retry is moved forward to the horizon
 * rather than dropped, so a message gets its full horizon; once `now` has reached the horizon,
 * it gives up.
 * @example nextAttempt({ attempt: 3, firstAttemptAt, now, random: () => 0.5 }) // { at: now + 2 min }
 */
export function nextAttempt({
  attempt,
  firstAttemptAt,
  now,
  horizonMs = DEFAULT_SEND_HORIZON_MS,
  baseMs = DEFAULT_RETRY_BASE_MS,
  maxDelayMs = DEFAULT_RETRY_MAX_DELAY_MS,
  random = Math.random,
}: NextAttemptInput): NextAttempt {
  const deadline = firstAttemptAt.getTime() + horizonMs;
  if (now.getTime() >= deadline) return { giveUp: true };
  // 2 ** large is Infinity, which Math.min turns back into the cap.
  const ceiling = Math.min(maxDelayMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const delayMs = Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
  return { at: new Date(Math.min(now.getTime() + delayMs, deadline)) };
}
