import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { OutboxItemDocument } from './outbox-item.document';

/** The outbox; items are addressed by id alone (the api's token guards them), hence no account scope. */
@Injectable()
export class OutboxRepository {
  static readonly indexes: IndexSpec[] = [{ collection: 'outbox', key: { pendingPublish: 1, createdAt: 1 }, options: { name: 'pending_publish' }, purpose: 'the sweeper: items whose send.requested is not in JetStream yet' }];

  private readonly items: Collection<OutboxItemDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.items = db.collection<OutboxItemDocument>('outbox');
  }

  async insert(item: OutboxItemDocument): Promise<void> {
    await this.items.insertOne(item);
  }

  findById(id: string): Promise<OutboxItemDocument | null> {
    return this.items.findOne({ _id: id });
  }

  async markPublished(id: string): Promise<void> {
    await this.items.updateOne({ _id: id }, { $set: { pendingPublish: false } });
  }

  pendingPublish({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<OutboxItemDocument[]> {
    return this.items.find({ pendingPublish: true, createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).toArray();
  }
}
