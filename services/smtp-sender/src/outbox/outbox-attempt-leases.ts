import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { InsertLeases, MONGO_DB, newId, type IndexSpec } from '@mailbus/mongo-dal';

/**
 * Who may work on an outbox item right now: an insert lease per item (atomic on MongoDB and FerretDB
 * alike, by the unique _id), held during an attempt and renewed by its heartbeat. A handler that dies
 * loses it when it expires, and the item is taken again; a duplicate event finds it held and waits.
 * The lease, not the item, is what the heartbeat writes: an item is only ever written by its holder.
 */
@Injectable()
export class OutboxAttemptLeases {
  static readonly indexes: IndexSpec[] = [];
  private readonly leases: InsertLeases;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.leases = new InsertLeases(db, 'outbox_attempt_leases');
  }

  /**
   * Runs `work` holding the item's lease, and releases it after (an unreleased lease expires).
   * `renew` extends the lease by `leaseMs` for work that may outlast it.
   * @returns false, without running `work`, when another handler holds the lease
   */
  async underLease({ id, leaseMs, work }: { id: string; leaseMs: number; work: (renew: () => Promise<void>) => Promise<void> }): Promise<boolean> {
    const lease = { id, holder: newId() };
    if (!(await this.leases.tryAcquire({ ...lease, leaseMs }))) return false;
    try {
      await work(async () => void (await this.leases.renew({ ...lease, leaseMs })));
      return true;
    } finally {
      await this.leases.release(lease).catch(() => undefined);
    }
  }

  /** Whether a live handler is sending the item now. */
  async isHeld(id: string): Promise<boolean> {
    return (await this.leases.heldBy({ id })) !== undefined;
  }

  /** Items being sent now, fleet-wide. */
  countHeld(): Promise<number> {
    return this.leases.countLive();
  }
}
