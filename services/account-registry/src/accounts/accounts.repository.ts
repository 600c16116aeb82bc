import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import { DirectoryCollections, type AccountDocument } from '@mailbus/directory';

const live = { deletedAt: { $exists: false } };

@Injectable()
export class AccountsRepository {
  static readonly indexes: IndexSpec[] = [
    { collection: DirectoryCollections.accounts, key: { owners: 1 }, options: { name: 'owners' }, purpose: 'accounts a user owns (delete refusal, sender selection)' },
    { collection: DirectoryCollections.accounts, key: { senders: 1 }, options: { name: 'senders' }, purpose: 'drop a deleted user from the accounts it may send with' },
    { collection: DirectoryCollections.accounts, key: { pendingPublish: 1, updatedAt: 1 }, options: { name: 'pending_publish' }, purpose: 'republish account.changed for changes whose event was not confirmed' },
  ];
  readonly collection: Collection<AccountDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.collection = db.collection<AccountDocument>(DirectoryCollections.accounts);
  }

  /** Live accounts only: tombstones of deleted ones are not found. */
  findById(id: string): Promise<AccountDocument | null> {
    return this.collection.findOne({ _id: id, ...live });
  }

  page({ limit, after }: { limit: number; after?: string }): Promise<AccountDocument[]> {
    return this.collection
      .find({ ...live, ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  async idsOwnedBy(userId: string): Promise<string[]> {
    return (await this.collection.find({ owners: userId, ...live }, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id);
  }

  async idsWithSender(userId: string): Promise<string[]> {
    return (await this.collection.find({ senders: userId, ...live }, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id);
  }

  async insert(account: AccountDocument): Promise<void> {
    await this.collection.insertOne(account);
  }

  async replaceIfRevision({ account, revision }: { account: AccountDocument; revision: number }): Promise<boolean> {
    return (await this.collection.replaceOne({ _id: account._id, revision, ...live }, account)).matchedCount > 0;
  }

  /** Only if no newer change came in meanwhile: that one's event is still to be published. */
  async markPublished({ id, revision }: { id: string; revision: number }): Promise<void> {
    await this.collection.updateOne({ _id: id, revision }, { $set: { pendingPublish: false } });
  }

  pendingPublish({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<AccountDocument[]> {
    return this.collection.find({ pendingPublish: true, updatedAt: { $lt: olderThan } }).sort({ updatedAt: 1 }).limit(limit).toArray();
  }
}
