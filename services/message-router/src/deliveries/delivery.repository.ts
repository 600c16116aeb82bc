import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import type { UserFolderName } from '@mailbus/contracts';
import { isOnlyDuplicateKeyErrors, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { DeliveryDocument } from './delivery.document';

/** `d` and 32 hex digits of (user, message identity): one delivery per user and Message-ID. */
export const deliveryIdFor = ({ userId, identity }: { userId: string; identity: string }): string => `d${createHash('sha256').update(`${userId}\u0000${identity}`).digest('hex').slice(0, 32)}`;

/** Where a page ends: the last delivery's receivedAt and id (ties on the time are broken by id). */
export interface PageCursor {
  receivedAt: Date;
  id: string;
}

@Injectable()
export class DeliveryRepository {
  static readonly indexes: IndexSpec[] = [
    { collection: 'deliveries', key: { userId: 1, folder: 1, receivedAt: -1, _id: -1 }, options: { name: 'user_folder_received' }, purpose: 'a user folder, newest first, paged by (receivedAt, _id)' },
    { collection: 'deliveries', key: { messageId: 1 }, options: { name: 'message' }, purpose: 'the deliveries of one message (publishing, write-back)' },
  ];

  private readonly deliveries: Collection<DeliveryDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.deliveries = db.collection<DeliveryDocument>('deliveries');
  }

  /** Unordered: a delivery that exists (the same mail by another account, or a redelivery) is skipped. */
  async insertManyIfAbsent(deliveries: DeliveryDocument[]): Promise<void> {
    if (deliveries.length === 0) return;
    try {
      await this.deliveries.insertMany(deliveries, { ordered: false });
    } catch (error) {
      if (!isOnlyDuplicateKeyErrors(error)) throw error;
    }
  }

  /** This message's deliveries whose event is not in JetStream yet (all of them on a first delivery). */
  unpublishedOf(messageId: string): Promise<DeliveryDocument[]> {
    return this.deliveries.find({ messageId, published: false }).toArray();
  }

  async markPublished(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.deliveries.updateMany({ _id: { $in: ids } }, { $set: { published: true } });
  }

  findOne({ userId, messageId }: { userId: string; messageId: string }): Promise<DeliveryDocument | null> {
    return this.deliveries.findOne({ userId, messageId });
  }

  async setRead({ userId, messageId, read }: { userId: string; messageId: string; read: boolean }): Promise<DeliveryDocument | null> {
    return this.deliveries.findOneAndUpdate({ userId, messageId }, { $set: { read } }, { returnDocument: 'after' });
  }

  /**
   * One page of a folder, newest first. Keyset pagination on (receivedAt, _id): a page never repeats
   * or skips a delivery when new mail arrives between two pages (it lands before the first page).
   */
  page({ userId, folder, limit, after }: { userId: string; folder: UserFolderName; limit: number; after?: PageCursor }): Promise<DeliveryDocument[]> {
    const filter: Filter<DeliveryDocument> = { userId, folder };
    if (after) filter.$or = [{ receivedAt: { $lt: after.receivedAt } }, { receivedAt: after.receivedAt, _id: { $lt: after.id } }];
    return this.deliveries.find(filter).sort({ receivedAt: -1, _id: -1 }).limit(limit).toArray();
  }
}
