import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DirectoryCollections, type AccountDocument } from '@mailbus/directory';
import { MONGO_DB } from '@mailbus/mongo-dal';
import type { RoutingAccount } from '../routing';

/** What routing needs of an account, from account-registry's collection (read-only here). */
@Injectable()
export class RoutingAccountReader {
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  /**
   * A deleted account keeps its tombstone (owners included), so mail fetched just before the deletion
   * still reaches its owners. An account that never existed routes to the unassigned queue.
   */
  async get(accountId: string): Promise<RoutingAccount> {
    const account = await this.db.collection<AccountDocument>(DirectoryCollections.accounts).findOne({ _id: accountId }, { projection: { owners: 1, 'receive.multidrop': 1 } });
    return {
      id: accountId,
      owners: account?.owners ?? [],
      multidrop: account?.receive?.multidrop ?? { enabled: false, envelopeHeader: 'auto', skip: 0 },
    };
  }
}
