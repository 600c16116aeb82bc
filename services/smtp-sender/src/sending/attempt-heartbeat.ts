import type { EventContext } from '@mailbus/nats-transport';
import type { AttemptLease } from '../outbox/outbox-attempt-leases';

const HEARTBEAT_MS = 10_000;

/**
 * Keeps a long attempt alive: restarts the event's ack-wait timer (no redelivery to a second handler)
 * and renews the attempt's lease. Renewals run one at a time; stop() waits for the last one.
 *
 * A renewal can find the lease lost: a NATS outage or a stall longer than the lease let it run out,
 * and another handler took the item. The heartbeat remembers that, and the attempt asks `confirm()`
 * before each step that cannot be undone (sending, recording), so a handler that lost its lease
 * neither sends a second copy nor writes over the new holder's writes.
 */
export class AttemptHeartbeat {
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<unknown> = Promise.resolve();
  private lease?: AttemptLease;
  private lost = false;

  constructor({ lease, ctx }: { lease?: AttemptLease; ctx?: Pick<EventContext, 'working'> }) {
    this.lease = lease;
    this.timer = setInterval(() => {
      ctx?.working();
      // An error (NATS away) says nothing about the lease: confirm() asks again when it matters.
      if (this.lease) void this.renew().catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Whether a renewal already found the lease taken by another handler. */
  get isLost(): boolean {
    return this.lost;
  }

  /**
   * Renews the lease now: true while it is this attempt's. A lease that ran out but nobody took is
   * renewed (nobody else can have written the item: a new holder writes the lease first). Throws when
   * NATS cannot tell, so that nothing irreversible happens on a guess.
   */
  async confirm(): Promise<boolean> {
    if (!this.lease) return true;
    return this.renew();
  }

  /** Takes the lost lease again once it is free; false while another handler holds it. */
  async retake(): Promise<boolean> {
    if (!this.lease) return true;
    const taken = await this.lease.retake();
    if (taken) this.lost = false;
    return taken;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.lease = undefined;
    await this.renewing.catch(() => undefined);
  }

  /** One renewal after the one in flight; a lost lease stays lost (renewing it again would only fail). */
  private renew(): Promise<boolean> {
    const lease = this.lease;
    const next = this.renewing.catch(() => undefined).then(async () => {
      if (this.lost || !lease) return !this.lost;
      const held = await lease.renew();
      if (!held) this.lost = true;
      return held;
    });
    this.renewing = next;
    return next;
  }
}
