import { Logger } from '@nestjs/common';
import type { KvRecords } from '@mailbus/nats-transport';
import { RateLimiter, assertTokenBucketShape, returnToken, takeToken, type TokenBucket, type TokenBucketShape } from '../delivery';

/** A token taken: wait `waitMs` before using it, or give it back. */
export interface RateReservation {
  waitMs: number;
  /** Returns the token (the caller will not use it); never rejects. */
  giveBack(): Promise<void>;
}

/** Longest a take waits for NATS KV before this call is limited in-process instead. */
export const SHARED_TAKE_DEADLINE_MS = 1_000;
/** After KV failed, takes stay in-process this long before KV is asked again: an outage costs no deadline per mail. */
export const FALLBACK_HOLD_MS = 5_000;
/** At most one warning per limiter this often while KV fails. */
const WARN_EVERY_MS = 60_000;

/**
 * A token bucket per key shared by every replica, so that the fleet, not each replica, keeps the
 * rate: the bucket is a KV record `{ tokens, at }` changed by compare-and-set (KvRecords: read,
 * take with the pure takeToken, write conditional on the revision read, again on a conflict), which
 * is two NATS round trips per take. A token bucket rather than counted windows because it keeps the
 * in-process limiter's semantics exactly: a reserved token and the wait for it, arrival order, no
 * double burst at a window's edge. Time is each writer's own clock, made tolerant by the bucket
 * arithmetic (MAX_CLOCK_AHEAD_MS): the KV entry's server timestamp would tell when the last write
 * happened, but not the server's time now, so it cannot replace a clock. A key idle until the bucket's
 * max age removes it comes back full, which is what its bucket would be by then.
 *
 * NATS KV failing (no answer within SHARED_TAKE_DEADLINE_MS, an error, a key changed by others
 * again and again) must not stop sending: the take is answered by an in-process RateLimiter of the
 * same shape, as is every take for FALLBACK_HOLD_MS after, and a warning is logged (at most one a
 * minute). Meanwhile each replica keeps the limit by itself, as before the limits were shared. A KV
 * write that completes after its deadline still took a token: that errs on the slow side.
 */
export class SharedRateLimiter {
  private readonly records: Pick<KvRecords, 'change'>;
  private readonly keyPrefix: string;
  private readonly shape: TokenBucketShape;
  private readonly now: () => number;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly local: RateLimiter;
  private inProcessUntil = 0;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private unwarnedFallbacks = 0;

  constructor({
    records,
    keyPrefix,
    shape,
    now = Date.now,
    logger = new Logger(SharedRateLimiter.name),
  }: {
    records: Pick<KvRecords, 'change'>;
    /** Keeps the keys of limiters that share a bucket apart, and names the limiter in warnings. */
    keyPrefix: string;
    shape: TokenBucketShape;
    now?: () => number;
    logger?: Pick<Logger, 'warn'>;
  }) {
    assertTokenBucketShape(shape);
    this.records = records;
    this.keyPrefix = keyPrefix;
    this.shape = shape;
    this.now = now;
    this.logger = logger;
    this.local = new RateLimiter({ ...shape, now });
  }

  async take(key: string): Promise<RateReservation> {
    if (this.now() >= this.inProcessUntil) {
      try {
        const waitMs = await this.changeShared(key, (bucket) => takeToken({ bucket, now: this.now(), shape: this.shape }));
        return { waitMs, giveBack: () => this.giveBackShared(key) };
      } catch (error) {
        this.fellBack(error);
      }
    }
    const waitMs = this.local.take(key);
    return { waitMs, giveBack: async () => this.local.giveBack(key) };
  }

  private async giveBackShared(key: string): Promise<void> {
    // A token that cannot be given back is lost to this key until the bucket refills: slower, never faster.
    await this.changeShared(key, (bucket) => ({ bucket: returnToken({ bucket, now: this.now(), shape: this.shape }), waitMs: 0 })).catch(() => undefined);
  }

  private changeShared(key: string, change: (bucket: TokenBucket | undefined) => { bucket: TokenBucket; waitMs: number }): Promise<number> {
    const changed = this.records.change({
      key: `${this.keyPrefix}-${key}`,
      apply: (current) => {
        const { bucket, waitMs } = change(storedBucket(current));
        return { next: bucket, result: waitMs };
      },
    });
    return withDeadline(changed, SHARED_TAKE_DEADLINE_MS);
  }

  private fellBack(error: unknown): void {
    const now = this.now();
    this.inProcessUntil = now + FALLBACK_HOLD_MS;
    this.unwarnedFallbacks += 1;
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`${this.keyPrefix} send rate limit: NATS KV failed ${this.unwarnedFallbacks} time(s) since the last warning (${reason}); this replica limits by itself until KV answers again`);
    this.unwarnedFallbacks = 0;
  }
}

/** The stored record, or undefined (a full bucket) for anything this class did not write. */
function storedBucket(value: unknown): TokenBucket | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tokens, at } = value as Partial<Record<keyof TokenBucket, unknown>>;
  return typeof tokens === 'number' && Number.isFinite(tokens) && typeof at === 'number' && Number.isFinite(at) ? { tokens, at } : undefined;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`NATS KV did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
