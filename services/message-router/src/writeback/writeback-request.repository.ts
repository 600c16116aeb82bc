import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { WritebackRequestDocument } from './writeback-request.document';

@Injectable()
export class WritebackRequestRepository {
  static readonly indexes: IndexSpec[] = [{ collection: 'writeback_requests', key: { pendingPublish: 1, requestedAt: 1 }, options: { name: 'pending_publish' }, purpose: 'the sweeper: write-back events not in JetStream yet' }];

  private readonly requests: Collection<WritebackRequestDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.requests = db.collection<WritebackRequestDocument>('writeback_requests');
  }

  /** False when it exists already (the same deletion asked again): nothing new to publish. */
  async insertIfAbsent(request: WritebackRequestDocument): Promise<boolean> {
    try {
      await this.requests.insertOne(request);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async markPublished(id: string): Promise<void> {
    await this.requests.updateOne({ _id: id }, { $set: { pendingPublish: false } });
  }

  pendingPublish({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<WritebackRequestDocument[]> {
    return this.requests.find({ pendingPublish: true, requestedAt: { $lte: olderThan } }).sort({ requestedAt: 1 }).limit(limit).toArray();
  }
}
