import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import { DirectoryCollections, type GroupDocument } from '@mailbus/directory';

@Injectable()
export class GroupsRepository {
  static readonly indexes: IndexSpec[] = [
    { collection: DirectoryCollections.groups, key: { members: 1 }, options: { name: 'members' }, purpose: 'drop a deleted user from the groups it is in' },
  ];
  readonly collection: Collection<GroupDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.collection = db.collection<GroupDocument>(DirectoryCollections.groups);
  }

  findById(id: string): Promise<GroupDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  page({ limit, after }: { limit: number; after?: string }): Promise<GroupDocument[]> {
    return this.collection
      .find(after ? { _id: { $gt: after } } : {})
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  async insert(group: GroupDocument): Promise<void> {
    await this.collection.insertOne(group);
  }

  async replaceIfRevision({ group, revision }: { group: GroupDocument; revision: number }): Promise<boolean> {
    return (await this.collection.replaceOne({ _id: group._id, revision }, group)).matchedCount > 0;
  }

  async removeMember(userId: string): Promise<void> {
    await this.collection.updateMany({ members: userId }, { $pull: { members: userId }, $inc: { revision: 1 }, $set: { updatedAt: new Date() } });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: id })).deletedCount > 0;
  }
}
