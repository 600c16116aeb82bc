import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { MessageDocument } from './message.document';

/**
 * `m` and 32 hex digits of (account, message identity): the same for every redelivery, and one record
 * for every copy of a mail in one account — the copy a spam move put in a synced Junk folder, the sent
 * mail appended to a synced Sent folder, a re-fetch after UIDVALIDITY changed.
 */
export const messageIdFor = ({ accountId, identity }: { accountId: string; identity: string }): string => `m${createHash('sha256').update(`${accountId}\u0000${identity}`).digest('hex').slice(0, 32)}`;

/**
 * Parsed messages. Not a BaseRepository: the read API addresses a message by its id alone (the id is
 * unguessable and derived, and access is checked by the api's token), so queries are not account-scoped.
 */
@Injectable()
export class MessageRepository {
  static readonly indexes: IndexSpec[] = [
    { collection: 'messages', key: { accountId: 1, messageIdHeader: 1 }, options: { name: 'account_message_id' }, purpose: 'write-back: find a message of an account by its Message-ID after another client moved it' },
  ];

  private readonly messages: Collection<MessageDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.messages = db.collection<MessageDocument>('messages');
  }

  findById(id: string): Promise<MessageDocument | null> {
    return this.messages.findOne({ _id: id });
  }

  /**
   * Where the message now is on the server, after a write-back moved it. A late event (an older move
   * answered after a newer one) changes nothing.
   */
  async relocate({ id, source, at }: { id: string; source: MessageDocument['source']; at: Date }): Promise<boolean> {
    const result = await this.messages.updateOne({ _id: id, $or: [{ relocatedAt: { $exists: false } }, { relocatedAt: { $lt: at } }] }, { $set: { source, relocatedAt: at } });
    return result.modifiedCount > 0;
  }

  /**
   * Deliveries another fetch of the mail made for this record (a copy elsewhere, a redelivery that
   * reached a user added since): what a redelivered event publishes. Not what a server deletion waits
   * for: that asks the deliveries themselves (FerretDB 1.x can lose one of two concurrent updates).
   */
  async addDeliveries({ id, deliveryIds }: { id: string; deliveryIds: string[] }): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.messages.updateOne({ _id: id }, { $addToSet: { deliveryIds: { $each: deliveryIds } } });
  }

  /** @returns the stored document: this one (inserted), or the one a previous delivery of the event wrote */
  async insertIfAbsent(message: MessageDocument): Promise<{ message: MessageDocument; inserted: boolean }> {
    try {
      await this.messages.insertOne(message);
      return { message, inserted: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return { message: (await this.findById(message._id)) ?? message, inserted: false };
    }
  }
}
