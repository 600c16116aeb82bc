import { Injectable, type OnModuleInit } from '@nestjs/common';
import { newId } from '@mailbus/mongo-dal';
import { LeaseBuckets, type KvLeases } from '@mailbus/nats-transport';

/** The bucket of the leases; the longest lease any caller takes is below MAX_LEASE_MS. */
const BUCKET = 'outbox-attempt-leases';
const MAX_LEASE_MS = 60_000;

/**
 * Who may work on an outbox item right now: a lease per item in NATS KV (compare-and-set on the
 * server), held during an attempt and renewed by its heartbeat. A handler that dies loses it when it
 * expires, and the item is taken again; a duplicate event finds it held and waits. The lease, not the
 * item, is what the heartbeat writes: an item is only ever written by its holder. In NATS rather than
 * MongoDB because a lease is taken and released for every mail: two store round trips less per mail.
 */
@Injectable()
export class OutboxAttemptLeases implements OnModuleInit {
  private leases!: KvLeases;

  constructor(private readonly buckets: LeaseBuckets) {}

  async onModuleInit(): Promise<void> {
    this.leases = await this.buckets.open({ bucket: BUCKET, maxLeaseMs: MAX_LEASE_MS });
  }

  /**
   * Runs `work` holding the item's lease, and releases it after (an unreleased lease expires).
   * `renew` extends the lease by `leaseMs` for work that may outlast it.
   * @returns false, without running `work`, when another handler holds the lease
   */
  async underLease({ id, leaseMs, work }: { id: string; leaseMs: number; work: (renew: () => Promise<void>) => Promise<void> }): Promise<boolean> {
    const lease = await this.leases.tryAcquire({ id, holder: newId(), leaseMs });
    if (!lease) return false;
    try {
      await work(async () => void (await lease.renew()));
      return true;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** Whether a live handler is sending the item now. */
  async isHeld(id: string): Promise<boolean> {
    return (await this.leases.heldBy(id)) !== undefined;
  }

  /** Items being sent now, fleet-wide. */
  countHeld(): Promise<number> {
    return this.leases.countLive();
  }
}
