import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { KvRecordBuckets, RetryLaterError, type KvRecords } from '@mailbus/nats-transport';
import type { TokenBucketShape } from '../delivery';
import { RateLimitContendedError, SharedRateLimiter, type RateReservation } from './shared-rate-limiter';

export const SEND_RATE_SETTINGS = Symbol('SEND_RATE_SETTINGS');
/** Messages per minute, for the whole fleet; 0 switches a limit off. */
export interface SendRateSettings {
  perAccountPerMinute: number;
  perHostPerMinute: number;
}

/** What SendRateLimits needs of KvRecordBuckets (a seam for unit tests). */
export interface RateRecordBuckets {
  open(input: { bucket: string; maxAgeMs: number }): Promise<Pick<KvRecords, 'change'>>;
}

/** A wait this short is spent in the handler; a longer one hands the event back to JetStream. */
const MAX_INLINE_WAIT_MS = 2_000;

const BUCKET = 'send-rate-limits';
/**
 * A key nobody took from for this long is removed. Its bucket is full by then: the slowest limit (1 a
 * minute, a bucket of 1) refills in a minute, and debt is short (waits over 2 s give their token back).
 * Fixed, not derived from the limits: an existing bucket keeps the max age it was created with.
 */
const IDLE_KEY_MAX_AGE_MS = 5 * 60_000;

/**
 * Per-account and per-SMTP-host rate limits against provider throttling (Microsoft 365 allows 30
 * messages a minute per mailbox), held for the whole fleet: every replica takes from the same token
 * bucket per key in NATS KV (SharedRateLimiter), so N replicas together send no more than the limit.
 * A short wait holds the handler; a longer one gives the tokens back and redelivers the event later,
 * so that one throttled account does not occupy every handler slot. A limit whose shared bucket is too
 * contended to take from in time hands the event back too (a second or two later), so that the fleet's
 * limit holds when it is busiest. With both limits 0 there is no bucket and no KV traffic; while KV
 * fails, each replica limits by itself (as SharedRateLimiter says).
 */
@Injectable()
export class SendRateLimits implements OnModuleInit {
  private perAccount?: SharedRateLimiter;
  private perHost?: SharedRateLimiter;

  constructor(
    @Inject(SEND_RATE_SETTINGS) private readonly settings: SendRateSettings,
    @Inject(KvRecordBuckets) private readonly buckets: RateRecordBuckets,
  ) {}

  async onModuleInit(): Promise<void> {
    const perAccount = bucketShape(this.settings.perAccountPerMinute);
    const perHost = bucketShape(this.settings.perHostPerMinute);
    if (!perAccount && !perHost) return;
    const records = await this.buckets.open({ bucket: BUCKET, maxAgeMs: IDLE_KEY_MAX_AGE_MS });
    if (perAccount) this.perAccount = new SharedRateLimiter({ records, keyPrefix: 'account', shape: perAccount });
    if (perHost) this.perHost = new SharedRateLimiter({ records, keyPrefix: 'host', shape: perHost });
  }

  async admit({ accountId, host, what }: { accountId: string; host: string; what: string }): Promise<void> {
    if (!this.perAccount && !this.perHost) return;
    const hostKey = host.trim().toLowerCase();
    const outcomes = await Promise.allSettled([this.perAccount?.take(accountId), this.perHost?.take(hostKey)]);
    const taken = outcomes.flatMap((outcome): RateReservation[] => (outcome.status === 'fulfilled' && outcome.value ? [outcome.value] : []));
    const refused = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (refused) {
      await Promise.all(taken.map((reservation) => reservation.giveBack()));
      if (refused.reason instanceof RateLimitContendedError) throw new RetryLaterError(refused.reason.retryInMs, `${what}: ${refused.reason.message}`);
      throw refused.reason;
    }
    const wait = Math.max(0, ...taken.map(({ waitMs }) => waitMs));
    if (wait === 0) return;
    if (wait <= MAX_INLINE_WAIT_MS) return new Promise((resolve) => setTimeout(resolve, wait));
    await Promise.all(taken.map((reservation) => reservation.giveBack()));
    throw new RetryLaterError(wait, `${what}: send rate limit of account ${accountId} or host ${hostKey} reached`);
  }
}

/** Bursts of a tenth of a minute's allowance: a queue that built up drains smoothly. */
const bucketShape = (perMinute: number): TokenBucketShape | undefined => (perMinute > 0 ? { ratePerSecond: perMinute / 60, burst: Math.max(1, Math.ceil(perMinute / 10)) } : undefined);
