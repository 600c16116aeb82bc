import { Inject, Injectable } from '@nestjs/common';
import { RetryLaterError } from '@mailbus/nats-transport';
import { RateLimiter } from '../delivery';

export const SEND_RATE_SETTINGS = Symbol('SEND_RATE_SETTINGS');
/** Messages per minute; 0 switches a limit off. */
export interface SendRateSettings {
  perAccountPerMinute: number;
  perHostPerMinute: number;
}

/** A wait this short is spent in the handler; a longer one hands the event back to JetStream. */
const MAX_INLINE_WAIT_MS = 2_000;

/**
 * Per-account and per-SMTP-host rate limits against provider throttling (Microsoft 365 allows 30
 * messages a minute per mailbox). A short wait holds the handler; a longer one gives the token back
 * and redelivers the event later, so that one throttled account does not occupy every handler slot.
 * In-process: each replica limits itself (the fleet's rate is at most replicas × the limit).
 */
@Injectable()
export class SendRateLimits {
  private readonly perAccount?: RateLimiter;
  private readonly perHost?: RateLimiter;

  constructor(@Inject(SEND_RATE_SETTINGS) settings: SendRateSettings) {
    this.perAccount = limiter(settings.perAccountPerMinute);
    this.perHost = limiter(settings.perHostPerMinute);
  }

  async admit({ accountId, host, what }: { accountId: string; host: string; what: string }): Promise<void> {
    const hostKey = host.trim().toLowerCase();
    const wait = Math.max(this.perAccount?.take(accountId) ?? 0, this.perHost?.take(hostKey) ?? 0);
    if (wait === 0) return;
    if (wait <= MAX_INLINE_WAIT_MS) return new Promise((resolve) => setTimeout(resolve, wait));
    this.perAccount?.giveBack(accountId);
    this.perHost?.giveBack(hostKey);
    throw new RetryLaterError(wait, `${what}: send rate limit of account ${accountId} or host ${hostKey} reached`);
  }
}

/** Bursts of a tenth of a minute's allowance: a queue that built up drains smoothly. */
const limiter = (perMinute: number): RateLimiter | undefined => (perMinute > 0 ? new RateLimiter({ ratePerSecond: perMinute / 60, burst: Math.max(1, Math.ceil(perMinute / 10)) }) : undefined);
