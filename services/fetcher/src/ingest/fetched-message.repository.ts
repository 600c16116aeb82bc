import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId, type IndexSpec } from '@mailbus/mongo-dal';
import type { FetchedMessageDocument } from './fetched-message.document';

@Injectable()
export class FetchedMessageRepository extends BaseRepository<FetchedMessageDocument> {
  static readonly indexes: IndexSpec[] = [
    { collection: 'fetched_messages', key: { accountId: 1, folder: 1, messageIdHeader: 1 }, options: { name: 'account_folder_message_id' }, purpose: 'UIDVALIDITY change: find the record of a message seen under the old UIDVALIDITY' },
    { collection: 'fetched_messages', key: { accountId: 1, protocol: 1, uidl: 1 }, options: { name: 'account_uidl' }, purpose: 'POP3: which UIDLs are stored already' },
    { collection: 'fetched_messages', key: { accountId: 1, emailId: 1 }, options: { name: 'account_email_id' }, purpose: 'Gmail: the same message under several labels is stored once' },
  ];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'fetched_messages' });
  }

  /** The account's fetch records: one per message stored (an index count on MongoDB). */
  countForAccount(accountId: AccountId): Promise<number> {
    return this.collection.countDocuments({ accountId });
  }

  /**
   * The POP3 keys out of `uidls` that are stored already, with when they were first fetched and the
   * LIST size they were fetched with (records of versions before 2026-12-03 have none). One query per
   * 10,000 keys: MongoDB answers an $in of that size (about 300 KB) from the account_uidl index, and
   * FerretDB 1.x, which reads the whole collection for any such query, does that once per run for all
   * but the largest mailboxes (with 1,000 per query, a run of a 2,000-message mailbox read it twice).
   */
  async storedUidls({ accountId, uidls }: { accountId: AccountId; uidls: readonly string[] }): Promise<Map<string, StoredPop3Record>> {
    const stored = new Map<string, StoredPop3Record>();
    const CHUNK = 10_000;
    for (let start = 0; start < uidls.length; start += CHUNK) {
      const found = await this.collection.find({ accountId, protocol: 'pop3', uidl: { $in: uidls.slice(start, start + CHUNK) } }, { projection: { uidl: 1, fetchedAt: 1, listSize: 1 } }).toArray();
      for (const { uidl, fetchedAt, listSize } of found) if (uidl) stored.set(uidl, { fetchedAt, ...(listSize !== undefined ? { listSize } : {}) });
    }
    return stored;
  }

  /**
   * When each of these fetch keys was first stored (IMAP retention, rule 14); a key without a record is
   * absent. One query per 10,000 keys, by `_id` (see storedUidls for the size).
   */
  async firstFetchedAt({ accountId, keys }: { accountId: AccountId; keys: string[] }): Promise<Map<string, Date>> {
    const seen = new Map<string, Date>();
    const CHUNK = 10_000;
    for (let start = 0; start < keys.length; start += CHUNK) {
      const found = await this.collection.find({ accountId, _id: { $in: keys.slice(start, start + CHUNK) } }, { projection: { fetchedAt: 1 } }).toArray();
      for (const { _id, fetchedAt } of found) seen.set(_id, fetchedAt);
    }
    return seen;
  }

  /**
   * The same message stored from another folder of the account (Gmail labels): by the server's email
   * id when it has one (Gmail always has), else by Message-ID and size (a rare server with \All but
   * no email ids; no index of its own, so that every other account's inserts do not pay for it).
   */
  findSameMessage({ accountId, emailId, messageIdHeader, size }: { accountId: AccountId; emailId?: string; messageIdHeader?: string; size: number }): Promise<FetchedMessageDocument | null> {
    if (emailId) return this.findOne({ accountId, emailId });
    if (messageIdHeader) return this.findOne({ accountId, messageIdHeader, size });
    return Promise.resolve(null);
  }

  /** A record of the same message in this folder under another UIDVALIDITY (same Message-ID and size). */
  findRelinkable({ accountId, folder, messageIdHeader, size }: { accountId: AccountId; folder: string; messageIdHeader: string; size: number }): Promise<FetchedMessageDocument | null> {
    return this.findOne({ accountId, folder, messageIdHeader, size });
  }
}

export interface StoredPop3Record {
  fetchedAt: Date;
  listSize?: number;
}
