import { Logger } from '@nestjs/common';
import { KvRecordContendedError, type KvRecords } from '@mailbus/nats-transport';
import { assertTokenBucketShape, returnToken, takeToken, type TokenBucket, type TokenBucketShape } from '../delivery';

/** A token taken: wait `waitMs` before using it, or give it back. */
export interface RateReservation {
  waitMs: number;
  /** Returns the token (the caller will not use it); never rejects, and returns it once however often it is called. */
  giveBack(): Promise<void>;
}

/**
 * No token was taken: the key's shared bucket kept being changed by other replicas until the take's
 * deadline. Ask again after `retryInMs` (jittered, so that the takes that collided do not return together).
 */
export class RateLimitContendedError extends Error {
  override readonly name = 'RateLimitContendedError';

  constructor(
    readonly limit: string,
    readonly retryInMs: number,
  ) {
    super(`the shared send rate limit of ${limit} is being changed by other replicas; no token was taken`);
  }
}

/** Longest a take waits for NATS KV: no answer by then is an outage, and the take is limited in-process. */
export const SHARED_TAKE_DEADLINE_MS = 1_000;
/** A take retries a lost compare-and-set this long; the rest of its deadline is for its last write to come back. */
export const CONTENDED_TAKE_MS = 750;
/** After KV failed for a key, its takes stay in-process this long before KV is asked again: an outage costs no deadline per mail. */
export const FALLBACK_HOLD_MS = 5_000;
/** A give-back retries (conflicts and errors) this long; a token not returned by then only comes back as the bucket refills. */
export const GIVE_BACK_DEADLINE_MS = 5_000;
/** A contended take is asked back after this, plus up to as much again at random. */
export const CONTENDED_RETRY_MS = 1_000;
/** At most one warning of each kind per limiter this often. */
const WARN_EVERY_MS = 60_000;
/** Backoff between give-back attempts that failed on an error (KvRecords retries conflicts itself): jittered, doubling. */
const GIVE_BACK_FIRST_BACKOFF_MS = 50;
const GIVE_BACK_MAX_BACKOFF_MS = 1_000;

/** What became of one change of a shared bucket. */
type SharedOutcome<R> =
  | { kind: 'changed'; result: R }
  | { kind: 'contended' }
  /** `pending` is set when KV did not answer in time: the change may still land. */
  | { kind: 'failed'; error: unknown; pending?: Promise<R> };

/** A key limited in-process while KV fails for it. */
interface Fallback {
  until: number;
  bucket: TokenBucket;
}

/**
 * A token bucket per key shared by every replica, so that the fleet, not each replica, keeps the
 * rate: the bucket is a KV record `{ tokens, at }` changed by compare-and-set (KvRecords: read,
 * take with the pure takeToken, write conditional on the revision read, again after a short jittered
 * backoff on a conflict). A token bucket rather than counted windows because it keeps the
 * in-process limiter's semantics exactly: a reserved token and the wait for it, arrival order, no
 * double burst at a window's edge. Time is each writer's own clock, made tolerant by the bucket
 * arithmetic (MAX_CLOCK_AHEAD_MS): the KV entry's server timestamp would tell when the last write
 * happened, but not the server's time now, so it cannot replace a clock. A key idle until the bucket's
 * max age removes it comes back full, which is what its bucket would be by then.
 *
 * Contention and outage are told apart, because they call for opposite answers:
 * - Other replicas winning the compare-and-set is contention: NATS works, and the fleet's limit is
 *   the one to keep. The take retries until CONTENDED_TAKE_MS; a take still losing then is refused
 *   with RateLimitContendedError (no token taken, ask again later), never limited in-process, which
 *   would exceed the fleet's limit exactly when it is busiest.
 * - NATS KV failing (an error, no answer within SHARED_TAKE_DEADLINE_MS) must not stop sending: the
 *   take, and every take of that key for FALLBACK_HOLD_MS after, is answered in-process, and a warning
 *   is logged (at most one a minute). Per key, so that one key's trouble frees no other key; an outage
 *   reaches every key soon enough by itself. The in-process bucket starts EMPTY, not full: each replica
 *   then sends at the key's rate from the first refill on, and no replica adds a whole burst of its
 *   own on top of what the fleet already sent. A fair share (rate / replicas) would be closer, but a
 *   replica does not know how many replicas there are; empty is the bound it can keep by itself.
 *   While KV fails, N replicas send up to N × rate, and no bursts.
 *
 * A token is never lost for good: a give-back retries conflicts and errors until GIVE_BACK_DEADLINE_MS
 * (a failure after that is logged, at most once a minute), and a take abandoned at its deadline whose
 * write lands after all gives its token back.
 */
export class SharedRateLimiter {
  private readonly records: Pick<KvRecords, 'change'>;
  private readonly keyPrefix: string;
  private readonly shape: TokenBucketShape;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fallbacks = new Map<string, Fallback>();
  private readonly kvFailures: ThrottledWarning;
  private readonly lostGiveBacks: ThrottledWarning;

  constructor({
    records,
    keyPrefix,
    shape,
    now = Date.now,
    random = Math.random,
    logger = new Logger(SharedRateLimiter.name),
  }: {
    records: Pick<KvRecords, 'change'>;
    /** Keeps the keys of limiters that share a bucket apart, and names the limiter in warnings. */
    keyPrefix: string;
    shape: TokenBucketShape;
    /** The clock of the buckets and the fallback hold (deadlines are timers). */
    now?: () => number;
    /** Jitter of retries. */
    random?: () => number;
    logger?: Pick<Logger, 'warn'>;
  }) {
    assertTokenBucketShape(shape);
    this.records = records;
    this.keyPrefix = keyPrefix;
    this.shape = shape;
    this.now = now;
    this.random = random;
    this.kvFailures = new ThrottledWarning({ logger, now });
    this.lostGiveBacks = new ThrottledWarning({ logger, now });
  }

  /** A token of `key`'s bucket; rejects with RateLimitContendedError only (see the class). */
  async take(key: string): Promise<RateReservation> {
    let fallback = this.activeFallback(key);
    if (!fallback) {
      const outcome = await this.changeShared({
        key,
        change: (bucket) => {
          const taken = takeToken({ bucket, now: this.now(), shape: this.shape });
          return { bucket: taken.bucket, result: taken.waitMs };
        },
        contendedAfterMs: CONTENDED_TAKE_MS,
        deadlineMs: SHARED_TAKE_DEADLINE_MS,
      });
      if (outcome.kind === 'changed') return { waitMs: outcome.result, giveBack: once(() => this.giveBackShared(key)) };
      if (outcome.kind === 'contended') throw new RateLimitContendedError(`${this.keyPrefix} ${key}`, Math.round(CONTENDED_RETRY_MS * (1 + this.random())));
      // Abandoned at the deadline, it may land after all: a token nobody uses, returned.
      void outcome.pending?.then(
        () => this.giveBackShared(key),
        () => undefined,
      );
      fallback = this.fallBack(key, outcome.error);
    }
    const local = fallback;
    const { bucket, waitMs } = takeToken({ bucket: local.bucket, now: this.now(), shape: this.shape });
    local.bucket = bucket;
    return {
      waitMs,
      giveBack: once(async () => {
        local.bucket = returnToken({ bucket: local.bucket, now: this.now(), shape: this.shape });
      }),
    };
  }

  private activeFallback(key: string): Fallback | undefined {
    const fallback = this.fallbacks.get(key);
    if (fallback && this.now() >= fallback.until) this.fallbacks.delete(key);
    return this.fallbacks.get(key);
  }

  /** The key's in-process bucket: the one of the hold under way (takes failing together share it), or a new, empty one. */
  private fallBack(key: string, error: unknown): Fallback {
    const now = this.now();
    for (const [other, { until }] of this.fallbacks) if (now >= until) this.fallbacks.delete(other);
    let fallback = this.fallbacks.get(key);
    if (!fallback) {
      fallback = { until: now + FALLBACK_HOLD_MS, bucket: { tokens: 0, at: now } };
      this.fallbacks.set(key, fallback);
    }
    this.kvFailures.note(
      (count) =>
        `${this.keyPrefix} send rate limit: NATS KV failed ${count} time(s) since the last warning (${reasonOf(error)}); the keys it failed for are limited by this replica alone until KV answers again`,
    );
    return fallback;
  }

  private async giveBackShared(key: string): Promise<void> {
    const giveUpAt = Date.now() + GIVE_BACK_DEADLINE_MS;
    const change = (bucket: TokenBucket | undefined) => ({ bucket: returnToken({ bucket, now: this.now(), shape: this.shape }), result: undefined });
    let reason = 'other replicas kept changing it';
    for (let failures = 0; ; failures += 1) {
      const leftMs = giveUpAt - Date.now();
      if (leftMs <= 0) break;
      // As a take: conflicts retried until shortly before the deadline, whose rest is for the last write.
      const outcome = await this.changeShared({ key, change, contendedAfterMs: Math.max(0, leftMs - (SHARED_TAKE_DEADLINE_MS - CONTENDED_TAKE_MS)), deadlineMs: leftMs });
      if (outcome.kind === 'changed') return;
      if (outcome.kind === 'failed') {
        reason = reasonOf(outcome.error);
        // A write still in flight at the deadline may land: a retry could return the token twice.
        if (outcome.pending) break;
      }
      const backoffMs = this.random() * Math.min(GIVE_BACK_MAX_BACKOFF_MS, GIVE_BACK_FIRST_BACKOFF_MS * 2 ** failures);
      await new Promise((resolve) => setTimeout(resolve, Math.min(backoffMs, Math.max(0, giveUpAt - Date.now()))));
    }
    this.lostGiveBacks.note(
      (count) => `${this.keyPrefix} send rate limit: ${count} token(s) could not be given back to NATS KV since the last warning (${reason}); they come back only as the buckets refill`,
    );
  }

  /** One change of the key's shared bucket, with KvRecords retrying conflicts for `contendedAfterMs` and no answer by `deadlineMs` taken as a failure. */
  private async changeShared<R>({
    key,
    change,
    contendedAfterMs,
    deadlineMs,
  }: {
    key: string;
    change: (bucket: TokenBucket | undefined) => { bucket: TokenBucket; result: R };
    contendedAfterMs: number;
    deadlineMs: number;
  }): Promise<SharedOutcome<R>> {
    const stopRetrying = new AbortController();
    const retryTimer = setTimeout(() => stopRetrying.abort(), contendedAfterMs);
    let deadlineTimer: NodeJS.Timeout | undefined;
    const changed = this.records.change({
      key: `${this.keyPrefix}-${key}`,
      apply: (current) => {
        const { bucket, result } = change(storedBucket(current));
        return { next: bucket, result };
      },
      signal: stopRetrying.signal,
    });
    const answered = changed.then(
      (result): SharedOutcome<R> => ({ kind: 'changed', result }),
      (error: unknown): SharedOutcome<R> => (error instanceof KvRecordContendedError ? { kind: 'contended' } : { kind: 'failed', error }),
    );
    const unanswered = new Promise<SharedOutcome<R>>((resolve) => {
      deadlineTimer = setTimeout(() => resolve({ kind: 'failed', error: new Error(`NATS KV did not answer within ${deadlineMs} ms`), pending: changed }), deadlineMs);
    });
    try {
      return await Promise.race([answered, unanswered]);
    } finally {
      clearTimeout(retryTimer);
      clearTimeout(deadlineTimer);
      // Not retried further once its caller stopped waiting: it can only still be in a write, or be dropped.
      stopRetrying.abort();
    }
  }
}

/** A warning logged at most once a minute, saying how often its cause happened since the last one. */
class ThrottledWarning {
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private unwarned = 0;

  constructor(private readonly input: { logger: Pick<Logger, 'warn'>; now: () => number }) {}

  note(message: (count: number) => string): void {
    this.unwarned += 1;
    const now = this.input.now();
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now;
    this.input.logger.warn(message(this.unwarned));
    this.unwarned = 0;
  }
}

/** The stored record, or undefined (a full bucket) for anything this class did not write. */
function storedBucket(value: unknown): TokenBucket | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tokens, at } = value as Partial<Record<keyof TokenBucket, unknown>>;
  return typeof tokens === 'number' && Number.isFinite(tokens) && typeof at === 'number' && Number.isFinite(at) ? { tokens, at } : undefined;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first call runs `giveBack`; later calls share its outcome. */
function once(giveBack: () => Promise<void>): () => Promise<void> {
  let given: Promise<void> | undefined;
  return () => (given ??= giveBack());
}
