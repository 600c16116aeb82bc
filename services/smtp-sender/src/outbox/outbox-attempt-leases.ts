import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { InsertLeases, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';

export interface OutboxAttemptLease {
  id: string;
  holder: string;
}

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

  acquire({ id, holder, leaseMs }: OutboxAttemptLease & { leaseMs: number }): Promise<boolean> {
    return this.leases.tryAcquire({ id, holder, leaseMs });
  }

  async renew({ id, holder, leaseMs }: OutboxAttemptLease & { leaseMs: number }): Promise<void> {
    await this.leases.renew({ id, holder, leaseMs });
  }

  release(lease: OutboxAttemptLease): Promise<void> {
    return this.leases.release(lease);
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
