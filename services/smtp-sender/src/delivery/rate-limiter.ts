export interface RateLimiterOptions {
  /** Sustained rate per key. */
  ratePerSecond: number;
  /** Tokens a key may spend at once after being idle (bucket size), at least 1. */
  burst: number;
  /** Milliseconds; injected so that tests are deterministic. */
  now?: () => number;
}

interface Bucket {
  /** Below zero: tokens already promised to callers that are waiting. */
  tokens: number;
  at: number;
}

/** Idle full buckets are dropped every this many takes, so that keys do not pile up. */
const SWEEP_EVERY = 1_024;

/**
 * A token bucket per key (an account id, an SMTP host) against provider throttling. `take(key)`
 * always takes a token and answers how many milliseconds the caller must wait before using it: 0
 * while the bucket has tokens, otherwise the time until its reserved token is refilled. Reserving
 * instead of refusing keeps callers in arrival order. For an account and its host, take from both
 * limiters and wait for the longer answer. In-process only: each sender replica limits itself.
 * @example const wait = Math.max(perAccount.take(accountId), perHost.take(host));
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private takes = 0;

  constructor({ ratePerSecond, burst, now = Date.now }: RateLimiterOptions) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.ratePerMs = ratePerSecond / 1_000;
    this.burst = burst;
    this.now = now;
  }

  take(key: string): number {
    const now = this.now();
    this.takes += 1;
    if (this.takes % SWEEP_EVERY === 0) this.sweep(now);
    const bucket = this.refilled(this.buckets.get(key), now);
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return bucket.tokens >= 0 ? 0 : Math.ceil(-bucket.tokens / this.ratePerMs);
  }

  /** Returns a token taken by `take` that will not be used after all (the caller gave up waiting). */
  giveBack(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  /** Keys with a bucket that is not yet full again. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.burst, at: now };
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - bucket.at);
    return { tokens: Math.min(this.burst, bucket.tokens + elapsed * this.ratePerMs), at: Math.max(now, bucket.at) };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= this.burst) this.buckets.delete(key);
    }
  }
}
