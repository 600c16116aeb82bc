import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId } from '@mailbus/mongo-dal';

/**
 * How the folder sync matched a message to a stored record: by the server's own id of the message
 * (Gmail's X-GM-MSGID: exact), or by Message-ID and size (a guess: a multidrop copy for another
 * recipient, or a resend of the same length, matches too).
 */
export type RelinkedBy = 'emailId' | 'messageId-size';

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
  /** Absent on links written before 2026-12-04: those count as guesses. */
  by?: RelinkedBy;
  /** When retention found the server's bytes differ from the record's: the guess was wrong, and the link no longer lets retention delete the message. */
  bytesDifferAt?: Date;
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

  /** The links of these fetch keys; a key never relinked is absent. One query per 10,000 keys, by `_id`. */
  async linksOf({ accountId, keys }: { accountId: AccountId; keys: string[] }): Promise<Map<string, RelinkedMessageDocument>> {
    const linked = new Map<string, RelinkedMessageDocument>();
    const CHUNK = 10_000;
    for (let start = 0; start < keys.length; start += CHUNK) {
      for (const link of await this.find({ filter: { accountId, _id: { $in: keys.slice(start, start + CHUNK) } } })) linked.set(link._id, link);
    }
    return linked;
  }

  /** Links whose message retention found to be another one than the record: kept with the mark, so that no later run downloads the message again or counts the link as a reason to delete it. */
  async markBytesDiffer({ accountId, keys }: { accountId: AccountId; keys: string[] }): Promise<void> {
    if (keys.length === 0) return;
    await this.collection.updateMany({ accountId, _id: { $in: keys }, bytesDifferAt: { $exists: false } }, { $set: { bytesDifferAt: new Date() } });
  }
}
