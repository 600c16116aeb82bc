import { Injectable, type OnModuleInit } from '@nestjs/common';
import { newId } from '@mailbus/mongo-dal';
import { LeaseBuckets, type KvLease, type KvLeases } from '@mailbus/nats-transport';

/** The bucket of the leases; the longest lease any caller takes is below MAX_LEASE_MS. */
const BUCKET = 'outbox-attempt-leases';
const MAX_LEASE_MS = 60_000;

/** The lease a running `work` holds (see OutboxAttemptLeases.underLease). */
export interface AttemptLease {
  /** Extends the lease; false when it was lost (it ran out and another handler took it). */
  renew(): Promise<boolean>;
  /** Takes the lost lease again (a new holder); false while another handler holds it. */
  retake(): Promise<boolean>;
}

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
   * `lease.renew()` extends it by `leaseMs` for work that may outlast it, and tells whether it is still
   * held: false once it ran out and another handler took it (from then on that handler owns the item).
   * `lease.retake()` takes it again when it is free, for a holder that must still record what it did.
   * @returns false, without running `work`, when another handler holds the lease
   */
  async underLease({ id, leaseMs, work }: { id: string; leaseMs: number; work: (lease: AttemptLease) => Promise<void> }): Promise<boolean> {
    const first = await this.take(id, leaseMs);
    if (!first) return false;
    let lease = first;
    try {
      await work({
        renew: () => lease.renew(),
        retake: async () => {
          const again = await this.take(id, leaseMs);
          if (again) lease = again;
          return again !== undefined;
        },
      });
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

  private take(id: string, leaseMs: number): Promise<KvLease | undefined> {
    return this.leases.tryAcquire({ id, holder: newId(), leaseMs });
  }
}
