export interface TokenBucketShape {
  /** Sustained rate per key. */
  ratePerSecond: number;
  /** Tokens a key may spend at once after being idle (bucket size), at least 1. */
  burst: number;
}

/** One key's bucket, stored in NATS KV by SharedRateLimiter (in memory while KV fails). */
export interface TokenBucket {
  /** Below zero: tokens already promised to callers that are waiting. */
  tokens: number;
  /** Milliseconds since the epoch, on the clock of whoever refilled it last. */
  at: number;
}

/**
 * How far ahead of the reader's clock a bucket's time is believed. Replicas refill a shared bucket
 * on their own clocks, and a bucket's time never goes back, so a clock behind the last writer's
 * refills nothing until it catches up: skew up to this costs at most that much refill, once. A time
 * further ahead (a replica whose clock is wrong, a clock stepped back) is taken as now + this, so
 * that it cannot stop the key for longer; the price is that a replica with a clock far ahead refills
 * its skew minus this whenever it writes after another (capped at the burst).
 */
export const MAX_CLOCK_AHEAD_MS = 1_000;

/** Throws a RangeError for a shape that could never pass a token. */
export function assertTokenBucketShape({ ratePerSecond, burst }: TokenBucketShape): void {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
}

/** The bucket at `now`: refilled at the rate since its time, up to its size; a new key's bucket is full. */
export function refillTokenBucket({ bucket, now, shape }: { bucket: TokenBucket | undefined; now: number; shape: TokenBucketShape }): TokenBucket {
  if (!bucket) return { tokens: shape.burst, at: now };
  const at = Math.min(bucket.at, now + MAX_CLOCK_AHEAD_MS);
  const elapsed = Math.max(0, now - at);
  return { tokens: Math.min(shape.burst, bucket.tokens + (elapsed * shape.ratePerSecond) / 1_000), at: Math.max(now, at) };
}

/**
 * Takes a token, always: `waitMs` is 0 while the bucket has tokens, otherwise the time until the
 * token it reserved is refilled. Reserving instead of refusing keeps callers in arrival order.
 */
export function takeToken({ bucket, now, shape }: { bucket: TokenBucket | undefined; now: number; shape: TokenBucketShape }): { bucket: TokenBucket; waitMs: number } {
  const refilled = refillTokenBucket({ bucket, now, shape });
  const tokens = refilled.tokens - 1;
  return { bucket: { ...refilled, tokens }, waitMs: tokens >= 0 ? 0 : Math.ceil((-tokens * 1_000) / shape.ratePerSecond) };
}

/** Returns a token a caller took and will not use after all (it gave up waiting). */
export function returnToken({ bucket, now, shape }: { bucket: TokenBucket | undefined; now: number; shape: TokenBucketShape }): TokenBucket {
  const refilled = refillTokenBucket({ bucket, now, shape });
  return { ...refilled, tokens: Math.min(shape.burst, refilled.tokens + 1) };
}
