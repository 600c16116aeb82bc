import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../repository/duplicate-key.util';

interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

/**
 * Leases decided by the unique _id index alone: taking one is an insert, so of two replicas racing
 * for it exactly one wins, on MongoDB and on FerretDB alike (no reliance on findAndModify being
 * atomic, no transactions). An expired lease is removed with a filter on its holder and expiry, so
 * only that stale lease can go, and the insert is tried again.
 */
export class InsertLeases {
  private readonly leases: Collection<LeaseDocument>;

  constructor(db: Db, collection: string) {
    this.leases = db.collection<LeaseDocument>(collection);
  }

  async tryAcquire({ id, holder, leaseMs }: { id: string; holder: string; leaseMs: number }): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await this.leases.insertOne({ _id: id, holder, expiresAt: new Date(Date.now() + leaseMs) });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const existing = await this.leases.findOne({ _id: id });
      if (existing && existing.expiresAt.getTime() > Date.now()) return false;
      if (existing) await this.leases.deleteOne({ _id: id, holder: existing.holder, expiresAt: existing.expiresAt });
    }
    return false;
  }

  async renew({ id, holder, leaseMs }: { id: string; holder: string; leaseMs: number }): Promise<boolean> {
    return (await this.leases.updateOne({ _id: id, holder }, { $set: { expiresAt: new Date(Date.now() + leaseMs) } })).matchedCount > 0;
  }

  async release({ id, holder }: { id: string; holder: string }): Promise<void> {
    await this.leases.deleteOne({ _id: id, holder });
  }

  countLive(): Promise<number> {
    return this.leases.countDocuments({ expiresAt: { $gt: new Date() } });
  }

  async heldBy({ id }: { id: string }): Promise<string | undefined> {
    const lease = await this.leases.findOne({ _id: id });
    return lease && lease.expiresAt.getTime() > Date.now() ? lease.holder : undefined;
  }
}
