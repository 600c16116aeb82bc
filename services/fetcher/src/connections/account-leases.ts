import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { InsertLeases, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';

/** One writer per mailbox (SPEC §3.6): a replica works on an account only while it holds its lease. */
@Injectable()
export class AccountLeases {
  static readonly indexes: IndexSpec[] = [];
  private readonly leases: InsertLeases;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.leases = new InsertLeases(db, 'fetch_leases');
  }

  tryAcquire({ accountId, owner, leaseMs }: { accountId: string; owner: string; leaseMs: number }): Promise<boolean> {
    return this.leases.tryAcquire({ id: accountId, holder: owner, leaseMs });
  }

  renew({ accountId, owner, leaseMs }: { accountId: string; owner: string; leaseMs: number }): Promise<boolean> {
    return this.leases.renew({ id: accountId, holder: owner, leaseMs });
  }

  release({ accountId, owner }: { accountId: string; owner: string }): Promise<void> {
    return this.leases.release({ id: accountId, holder: owner });
  }
}
