import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId, type IndexSpec } from '@mailbus/mongo-dal';

/** A message every user deleted in mailbus, to be deleted on its POP3 leave-on-server mailbox by the account's next run. */
export interface Pop3DeletionRequestDocument {
  /** accountId, a newline, the key (UIDL, or the content key of a server without UIDL). */
  _id: string;
  accountId: AccountId;
  key: string;
  messageId: string;
  requestedAt: Date;
}

/**
 * POP3 deletions wait here for the account's next run, which does them in its own session: the
 * fetcher is the one writer of a POP3 mailbox (a second session would lock the maildrop against the
 * run, count against LOGIN-DELAY, and list every UIDL again for one DELE). Written by the fetcher
 * only (its message.deleted consumer), removed by the run once QUIT committed the deletions.
 */
@Injectable()
export class Pop3DeletionRequests extends BaseRepository<Pop3DeletionRequestDocument> {
  static readonly indexes: IndexSpec[] = [{ collection: 'pop3_deletion_requests', key: { accountId: 1 }, options: { name: 'account' }, purpose: "POP3: the deletions a run does for its account" }];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'pop3_deletion_requests' });
  }

  /** Idempotent: a repeated event requests nothing new. */
  async request({ accountId, key, messageId }: { accountId: AccountId; key: string; messageId: string }): Promise<void> {
    await this.insertIfAbsent({ _id: `${accountId}\n${key}`, accountId, key, messageId, requestedAt: new Date() });
  }

  /** The keys requested for the account, with their request ids. */
  async forAccount(accountId: AccountId): Promise<Map<string, string>> {
    return new Map((await this.find({ filter: { accountId } })).map(({ _id, key }) => [key, _id]));
  }

  /** After QUIT: the requests are done, whether their message was deleted now or was gone already. */
  async done({ accountId, ids }: { accountId: AccountId; ids: string[] }): Promise<void> {
    if (ids.length > 0) await this.collection.deleteMany({ accountId, _id: { $in: ids } });
  }
}
