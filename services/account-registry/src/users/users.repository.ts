import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB } from '@mailbus/mongo-dal';
import { DirectoryCollections, type UserDocument } from '@mailbus/directory';

@Injectable()
export class UsersRepository {
  readonly collection: Collection<UserDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.collection = db.collection<UserDocument>(DirectoryCollections.users);
  }

  findById(id: string): Promise<UserDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Ids out of `ids` that are not users, for "unknown user" field errors. */
  async missing(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.collection.find({ _id: { $in: [...new Set(ids)] } }, { projection: { _id: 1 } }).toArray();
    const existing = new Set(found.map(({ _id }) => _id));
    return ids.filter((id) => !existing.has(id));
  }

  page({ limit, after }: { limit: number; after?: string }): Promise<UserDocument[]> {
    return this.collection
      .find(after ? { _id: { $gt: after } } : {})
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  async insert(user: UserDocument): Promise<void> {
    await this.collection.insertOne(user);
  }

  /** Compare-and-swap on the revision: false when someone else changed the user first. */
  async replaceIfRevision({ user, revision }: { user: UserDocument; revision: number }): Promise<boolean> {
    return (await this.collection.replaceOne({ _id: user._id, revision }, user)).matchedCount > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: id })).deletedCount > 0;
  }
}
