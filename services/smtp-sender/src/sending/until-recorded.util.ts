import { isDependencyOutage } from '@mailbus/service-runtime';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5_000;
/** Longer than a MongoDB restart or failover; the attempt's heartbeat keeps its lease and event meanwhile. */
const DEFAULT_PATIENCE_MS = 10 * 60_000;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a write that records what the SMTP server has already accepted. While the store (or NATS) is
 * away it is tried again, 0.5 s doubling to 5 s apart, for up to `patienceMs` of waiting: failing instead would
 * hand the event back, and its next attempt would send the mail a second time. Any other error, and
 * an outage longer than that, fails at once.
 */
export async function untilRecorded<T>(
  write: () => Promise<T>,
  { onWait, patienceMs = DEFAULT_PATIENCE_MS, sleep = wait }: { onWait?: (error: unknown, retryInMs: number) => void; patienceMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  let waitedMs = 0;
  for (let delayMs = FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, MAX_DELAY_MS)) {
    try {
      return await write();
    } catch (error) {
      if (!isDependencyOutage(error) || waitedMs + delayMs > patienceMs) throw error;
      onWait?.(error, delayMs);
      await sleep(delayMs);
      waitedMs += delayMs;
    }
  }
}
