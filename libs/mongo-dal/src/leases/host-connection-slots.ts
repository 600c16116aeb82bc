import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { MONGO_DB } from '../mongo.constants';
import type { IndexSpec } from '../indexes/index-spec';
import { InsertLeases } from './insert-leases';

export interface HostSlot {
  id: string;
  holder: string;
}

/**
 * A cap on concurrent connections per mail server host that holds across replicas (providers limit
 * connections per client IP): `cap` numbered slots per host, each an insert lease, so a replica
 * that dies frees its slots within the lease time.
 */
@Injectable()
export class HostConnectionSlots {
  static readonly indexes: IndexSpec[] = [];
  private readonly leases: InsertLeases;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.leases = new InsertLeases(db, 'host_connection_slots');
  }

  /** A free slot of the host, or undefined when all `cap` are taken. */
  async acquire({ host, cap, holder, leaseMs }: { host: string; cap: number; holder: string; leaseMs: number }): Promise<HostSlot | undefined> {
    for (let n = 0; n < cap; n += 1) {
      const id = `${host.toLowerCase()}#${n}`;
      if (await this.leases.tryAcquire({ id, holder, leaseMs })) return { id, holder };
    }
    return undefined;
  }

  async renew({ slot, leaseMs }: { slot: HostSlot; leaseMs: number }): Promise<void> {
    await this.leases.renew({ ...slot, leaseMs });
  }

  async release(slot: HostSlot): Promise<void> {
    await this.leases.release(slot);
  }
}
