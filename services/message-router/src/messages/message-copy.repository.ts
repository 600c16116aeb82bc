import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import type { MailAddressView } from '@mailbus/contracts';
import { isDuplicateKeyError, MONGO_DB, type IndexSpec } from '@mailbus/mongo-dal';
import type { MessageSource } from './message.document';

/**
 * Another copy of a stored mail in the same account, fetched from another place on the server: a
 * multidrop mailbox keeps one per envelope recipient, each with that recipient's trace headers
 * (Delivered-To, Received … for, some a Bcc) and so its own bytes; also the Cc to a shared address of
 * mail sent through mailbus, a synced Junk or Sent folder's copy. `_id` is the copy's fetch key.
 * A document of its own, not an array in the message record: FerretDB 1.x rewrites a whole document
 * per update without isolation, so copies joining one record at once would overwrite each other, and
 * the record would grow with every recipient's headers.
 */
export interface MessageCopyDocument {
  _id: string;
  messageId: string;
  accountId: string;
  /** Where it was fetched. */
  source: MessageSource;
  blobId: string;
  size: number;
  headers: Array<{ key: string; value: string }>;
  bcc: MailAddressView[];
  /** Where a spam mark moved it since (spam.moved); an older move answered late is ignored. */
  relocated?: { source: MessageSource; at: Date };
  createdAt: Date;
}

@Injectable()
export class MessageCopyRepository {
  static readonly indexes: IndexSpec[] = [{ collection: 'message_copies', key: { messageId: 1 }, options: { name: 'message' }, purpose: 'the copies of one message: its server deletion deletes every one' }];

  private readonly copies: Collection<MessageCopyDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.copies = db.collection<MessageCopyDocument>('message_copies');
  }

  /** A redelivered fetch finds its copy kept already. */
  async insertIfAbsent(copy: MessageCopyDocument): Promise<void> {
    try {
      await this.copies.insertOne(copy);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  findByFetchKey(fetchKey: string): Promise<MessageCopyDocument | null> {
    return this.copies.findOne({ _id: fetchKey });
  }

  ofMessage(messageId: string): Promise<MessageCopyDocument[]> {
    return this.copies.find({ messageId }).toArray();
  }

  /** Where a write-back moved the copy. A late event (an older move answered after a newer one) changes nothing. */
  async relocate({ fetchKey, source, at }: { fetchKey: string; source: MessageSource; at: Date }): Promise<boolean> {
    const result = await this.copies.updateOne({ _id: fetchKey, $or: [{ 'relocated.at': { $exists: false } }, { 'relocated.at': { $lt: at } }] }, { $set: { relocated: { source, at } } });
    return result.modifiedCount > 0;
  }
}
