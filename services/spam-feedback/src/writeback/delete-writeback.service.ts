import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DeleteScope, type MessageDeleted } from '@mailbus/contracts';
import { findAccount, type AccountDocument } from '@mailbus/directory';
import { deleteImapMessage, findJunkFolder, toMailFolders } from '@mailbus/mail-clients';
import { MONGO_DB } from '@mailbus/mongo-dal';
import type { EventContext } from '@mailbus/nats-transport';
import type { WritebackSettings } from '../config/spam-feedback.config';
import { WRITEBACK_SETTINGS } from '../config/writeback.tokens';
import { MailServerSessions } from './mail-server-sessions';
import { searchFoldersFor, serverMessageRef } from './server-message-ref.util';
import { writebackFailure } from './write-back-failure.util';
import { WritebackMetrics } from './writeback.metrics';

type Outcome = 'deleted' | 'skipped' | 'failed';
/** `ambiguous`: a skip that left the message on the server because several copies matched; logged as a warning. */
type Result = { outcome: Outcome; reason: string; ambiguous?: true };

/**
 * Deletes on the server what every user deleted in mailbus (Rowisoft: IMAP keeps mail on the server
 * until the user deletes it): IMAP \Deleted plus UID EXPUNGE of that UID only, found again by
 * Message-ID (and size) when another client moved it; where several copies match (a multidrop mailbox
 * keeps one per recipient) none is deleted. A message already gone is a no-op, so a repeat is too.
 * POP3 is the fetcher's: its next run of the account deletes the message in its own session (a
 * second session would lock the maildrop against it and count against LOGIN-DELAY).
 */
@Injectable()
export class DeleteWritebackService {
  private readonly logger = new Logger(DeleteWritebackService.name);

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly sessions: MailServerSessions,
    private readonly metrics: WritebackMetrics,
    @Inject(WRITEBACK_SETTINGS) private readonly settings: WritebackSettings,
  ) {}

  async onMessageDeleted(event: MessageDeleted, ctx: Pick<EventContext, 'deliveryCount'>): Promise<void> {
    if (event.scope !== DeleteScope.SERVER) return;
    const stopTimer = this.metrics.duration.startTimer({ operation: 'delete' });
    const account = await findAccount(this.db, event.accountId);
    const protocol = account?.receive?.protocol ?? 'none';
    let outcome: Result;
    try {
      outcome = await this.deleteOnServer({ event, account });
    } catch (error) {
      const failure = writebackFailure({ error, attempt: ctx.deliveryCount, maxAttempts: this.settings.maxAttempts });
      if (failure.retry) throw failure.error;
      outcome = { outcome: 'failed', reason: failure.reason };
    }
    stopTimer();
    this.metrics.deletions.inc({ protocol, outcome: outcome.outcome });
    this.logger[outcome.outcome === 'failed' || outcome.ambiguous ? 'warn' : 'log']({ msg: `server deletion ${outcome.outcome}`, messageId: event.messageId, accountId: event.accountId, reason: outcome.reason });
  }

  private async deleteOnServer({ event, account }: { event: MessageDeleted; account: AccountDocument | null }): Promise<Result> {
    const receive = account?.receive;
    if (!account || account.deletedAt || !receive) return { outcome: 'skipped', reason: 'the account was deleted or no longer receives' };
    const location = event.location;
    if (receive.protocol === 'pop3') {
      if (!receive.leaveOnServer) return { outcome: 'skipped', reason: 'POP3 account without leaveOnServer: the message was deleted on the server after fetching' };
      // The fetcher, the mailbox's one writer, deletes it in its next run (its own message.deleted consumer).
      return { outcome: 'skipped', reason: "POP3: deleted on the server by the account's next fetch" };
    }
    return this.sessions.imap(account, async (client) => {
      const junk = findJunkFolder(toMailFolders(await client.list()));
      const result = await deleteImapMessage(client, { message: serverMessageRef(location, { multidrop: receive.multidrop?.enabled === true }), searchFolders: searchFoldersFor({ syncedFolders: receive.folders, ...(junk ? { junkFolder: junk.path } : {}) }) });
      if (result.result !== 'deleted') return { outcome: 'skipped', reason: result.reason, ...(result.result === 'ambiguous' ? { ambiguous: true as const } : {}) };
      return { outcome: 'deleted', reason: result.expunged ? '' : 'flagged \\Deleted; the server has no UIDPLUS, so it is expunged by the next client that expunges' };
    });
  }
}
