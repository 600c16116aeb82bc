import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { OutboxItemDocument } from './outbox-item.document';

/** The outbox; items are addressed by id alone (the api's token guards them), hence no account scope. */
@Injectable()
export class OutboxRepository {
  static readonly indexes: IndexSpec[] = [
    { collection: 'outbox', key: { pendingPublish: 1, createdAt: 1 }, options: { name: 'pending_publish' }, purpose: 'the sweeper: items whose send.requested is not in JetStream yet' },
    { collection: 'outbox', key: { status: 1, updatedAt: 1 }, options: { name: 'status_updated' }, purpose: 'the stalled-item sweeper, and the outbox depth gauge' },
    { collection: 'outbox', key: { requestDueAt: 1 }, options: { name: 'request_due' }, purpose: 'the due-item sweeper: retrying items whose next attempt is due (requestDueAt <= now)' },
  ];

  private readonly items: Collection<OutboxItemDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.items = db.collection<OutboxItemDocument>('outbox');
  }

  /** False when an item with this id exists: the same request (Idempotency-Key) came twice at once. */
  async insertIfAbsent(item: OutboxItemDocument): Promise<boolean> {
    try {
      await this.items.insertOne(item);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  findById(id: string): Promise<OutboxItemDocument | null> {
    return this.items.findOne({ _id: id });
  }

  /** The sweeper's record of a publish, made under the attempt lease (see OutboxService.republish). */
  async markPublished(id: string): Promise<void> {
    await this.items.updateOne({ _id: id }, { $set: { pendingPublish: false } });
  }

  /**
   * An attempt's write, under its lease: the outcome, and that send.requested is in JetStream (the
   * attempt came from it). A due request it does not set is over: this attempt is the one it asked for.
   */
  async recordAttempt({ id, set }: { id: string; set: Partial<OutboxItemDocument> }): Promise<void> {
    await this.items.updateOne({ _id: id }, { $set: { ...set, pendingPublish: false, updatedAt: new Date() }, ...(set.requestDueAt ? {} : { $unset: { requestDueAt: '' } }) });
  }

  /** Retrying items whose next attempt is due and not yet requested, the longest due first. */
  due({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<OutboxItemDocument[]> {
    return this.items.find({ requestDueAt: { $lte: olderThan } }).sort({ requestDueAt: 1 }).limit(limit).toArray();
  }

  /** That the item's next attempt is to be requested at `at` (an event came before it was due). Under the attempt lease. */
  async markRequestDue({ id, at }: { id: string; at: Date }): Promise<void> {
    await this.items.updateOne({ _id: id }, { $set: { requestDueAt: at } });
  }

  /**
   * The due sweeper's record of its publish, under the attempt lease. Only the request it published
   * is cleared: an attempt in between may have recorded a new one (read by _id, then written by _id).
   */
  async clearRequestDue({ id, requested }: { id: string; requested: Date }): Promise<void> {
    const item = await this.findById(id);
    if (item?.requestDueAt?.getTime() !== requested.getTime()) return;
    await this.items.updateOne({ _id: id }, { $unset: { requestDueAt: '' } });
  }

  /**
   * Items whose send.requested is no longer coming: `retrying` past their time, `queued` after the
   * event was published, or `sending` (written by versions before the lease told it, left by a crash),
   * all untouched since `olderThan` (a redelivery or the next attempt would have touched them).
   * Dead-lettered events end here too.
   */
  stalled({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<OutboxItemDocument[]> {
    return this.items
      .find({
        updatedAt: { $lte: olderThan },
        $and: [{ $or: [{ requestedAgainAt: { $exists: false } }, { requestedAgainAt: { $lte: olderThan } }] }, { $or: [{ status: 'sending' }, { status: 'retrying', nextAttemptAt: { $lte: olderThan } }, { status: 'queued', pendingPublish: false }] }],
      })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** Not requested again before the stalled clock runs out once more; updatedAt stays, so the attempt can take the item. Under the attempt lease. */
  async markRequestedAgain(id: string): Promise<void> {
    await this.items.updateOne({ _id: id }, { $set: { requestedAgainAt: new Date() } });
  }

  countByStatus(status: OutboxItemDocument['status']): Promise<number> {
    return this.items.countDocuments({ status });
  }

  pendingPublish({ olderThan, limit }: { olderThan: Date; limit: number }): Promise<OutboxItemDocument[]> {
    return this.items.find({ pendingPublish: true, createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).toArray();
  }
}
