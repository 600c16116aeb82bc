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

  /**
   * Of these deliveries, the ones of this message whose event is not in JetStream yet. One lookup by
   * _id each (a message has a handful): FerretDB 1.x answers only _id equality without a full scan.
   */
  async unpublished({ ids, messageId }: { ids: string[]; messageId: string }): Promise<DeliveryDocument[]> {
    const found = await Promise.all(ids.map((id) => this.deliveries.findOne({ _id: id })));
    return found.filter((delivery): delivery is DeliveryDocument => delivery !== null && delivery.messageId === messageId && !delivery.published);
  }

  /** By _id one at a time, like unpublished(), for FerretDB's sake. */
  async markPublished(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.deliveries.updateOne({ _id: id }, { $set: { published: true } })));
  }

  /** The user's delivery of this mail (possibly made from another copy of it, through another account). */
  findFor({ userId, identity }: { userId: string; identity: string }): Promise<DeliveryDocument | null> {
    return this.deliveries.findOne({ _id: deliveryIdFor({ userId, identity }) });
  }

  async setRead({ userId, identity, read }: { userId: string; identity: string; read: boolean }): Promise<DeliveryDocument | null> {
    return this.deliveries.findOneAndUpdate({ _id: deliveryIdFor({ userId, identity }) }, { $set: { read } }, { returnDocument: 'after' });
  }

  /** Moves the user's delivery to another folder (spam marks, deletion); null when the mail was not delivered to the user. */
  moveTo({ userId, identity, folder, deletedAt }: { userId: string; identity: string; folder: UserFolderName; deletedAt?: Date }): Promise<DeliveryDocument | null> {
    return this.deliveries.findOneAndUpdate({ _id: deliveryIdFor({ userId, identity }) }, { $set: { folder, spam: folder === 'spam', ...(deletedAt ? { deletedAt } : {}) } }, { returnDocument: 'after' });
  }

  /** Whether any delivery of this message exists (index `message`). */
  async anyOfMessage(messageId: string): Promise<boolean> {
    return (await this.deliveries.findOne({ messageId }, { projection: { _id: 1 } })) !== null;
  }

  /** Every delivery of this message (index `message`): whom its server deletion waits for. */
  ofMessage(messageId: string): Promise<DeliveryDocument[]> {
    return this.deliveries.find({ messageId }).toArray();
  }

  /** By _id one at a time, for FerretDB's sake (see unpublished). */
  async findByIds(ids: string[]): Promise<DeliveryDocument[]> {
    const found = await Promise.all(ids.map((id) => this.deliveries.findOne({ _id: id })));
    return found.filter((delivery): delivery is DeliveryDocument => delivery !== null);
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
