import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId } from '@mailbus/mongo-dal';

/**
 * An IMAP message the folder sync found stored already and did not store again: the folder's
 * rebuilt copy after a UIDVALIDITY change, or (Gmail) the same message under another label's folder.
 * Not a stored message: nothing counts these, and no event announces them; they only tell retention
 * which fetch record the message on the server is (rule 14 ages it from that record's fetchedAt).
 */
export interface RelinkedMessageDocument {
  /** The fetch key the message was seen under (account + folder + UIDVALIDITY + UID). */
  _id: string;
  accountId: AccountId;
  folder: string;
  uidValidity: number;
  uid: number;
  /** The fetch key of the record it was matched to: the one fetch record the message has. */
  recordId: string;
  linkedAt: Date;
}

/** Kept apart from fetched_messages so that record counts (status, fetchedTotal) stay counts of what was stored. No index beyond _id: every lookup is by fetch key. */
@Injectable()
export class RelinkedMessageRepository extends BaseRepository<RelinkedMessageDocument> {
  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'relinked_messages' });
  }

  /** Idempotent: a run repeated after a crash links the same keys again. One write for the whole group. */
  async remember(links: RelinkedMessageDocument[]): Promise<void> {
    await this.insertManyIfAbsent(links);
  }

  /** The fetch record each of these fetch keys was linked to; a key never relinked is absent. One query per 10,000 keys, by `_id`. */
  async recordsOf({ accountId, keys }: { accountId: AccountId; keys: string[] }): Promise<Map<string, string>> {
    const linked = new Map<string, string>();
    const CHUNK = 10_000;
    for (let start = 0; start < keys.length; start += CHUNK) {
      const found = await this.collection.find({ accountId, _id: { $in: keys.slice(start, start + CHUNK) } }, { projection: { recordId: 1 } }).toArray();
      for (const { _id, recordId } of found) linked.set(_id, recordId);
    }
    return linked;
  }
}
