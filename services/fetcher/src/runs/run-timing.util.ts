const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 4 * 60 * 60_000;
/**
 * When a run stopped at its budget: come back soon, but let accounts already due go first. A slot that
 * no due account wants starts it at once (FetchScheduler), so a lone backlog does not idle between runs.
 */
export const MORE_WORK_DELAY_MS = 1_000;

/** ±10 %, so accounts created together do not poll together (no thundering herd). */
const jitter = (ms: number, random: () => number): number => Math.round(ms * (0.9 + 0.2 * random()));

/** The next regular run after a successful one. */
export const nextRegularRun = ({ now, intervalSeconds, random = Math.random }: { now: number; intervalSeconds: number; random?: () => number }): Date => new Date(now + jitter(intervalSeconds * 1000, random));

/** After the n-th failure in a row: 1, 2, 4 … minutes, at most 4 hours; never sooner than the interval. */
export const nextRunAfterFailure = ({ now, failures, intervalSeconds, random = Math.random }: { now: number; failures: number; intervalSeconds: number; random?: () => number }): Date =>
  new Date(now + jitter(Math.max(intervalSeconds * 1000, Math.min(BACKOFF_BASE_MS * 2 ** Math.max(failures - 1, 0), BACKOFF_MAX_MS)), random));

const INTERRUPTED_RETRY = { initialMs: 5_000, maxMs: 5 * 60_000 };

/** After the n-th run in a row that mailbus's own store or NATS cut short: 5, 10, 20 … seconds, at most 5 minutes. */
export const nextRunAfterInterruption = ({ now, interruptions, random = Math.random }: { now: number; interruptions: number; random?: () => number }): Date =>
  new Date(now + jitter(Math.min(INTERRUPTED_RETRY.initialMs * 2 ** Math.max(interruptions - 1, 0), INTERRUPTED_RETRY.maxMs), random));
