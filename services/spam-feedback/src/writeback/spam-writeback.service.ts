import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import { Events, SpamMoveResult, mailErrorClass, timestampDate, timestampFromDate, type SpamMarked } from '@mailbus/contracts';
import { findAccount, type AccountDocument } from '@mailbus/directory';
import type { ImapFlow } from 'imapflow';
import { ensureJunkFolder, findJunkFolder, moveImapMessage, toMailFolders, type ImapMoveOutcome } from '@mailbus/mail-clients';
import { MONGO_DB } from '@mailbus/mongo-dal';
import { EventPublisher, type EventContext } from '@mailbus/nats-transport';
import type { WritebackSettings } from '../config/spam-feedback.config';
import { WRITEBACK_SETTINGS } from '../config/writeback.tokens';
import { MailServerSessions } from './mail-server-sessions';
import { searchFoldersFor, serverMessageRef } from './server-message-ref.util';
import { SpamMarkOrder } from './spam-mark-order';
import { writebackFailure } from './write-back-failure.util';
import { WritebackMetrics } from './writeback.metrics';

const INBOX = 'INBOX';

type Answer = { result: SpamMoveResult; fromFolder?: string; toFolder?: string; uidValidity?: number; uid?: number; reason?: string; errorClass?: string; ambiguous?: true };

/**
 * Teaches the provider's filter (FlowFact; Gmail's own advice): a spam mark moves the message into
 * the server's Junk folder, found by \Junk or a known name, created when missing if allowed; not spam
 * moves it back to INBOX. $Junk / $NotJunk keywords are set for filters that read them. Every mark ends
 * in one spam.moved: MOVED (with the new UID), SKIPPED (nothing to do, or a POP3 account, said why;
 * also, logged as a warning, when a Message-ID search finds several copies it cannot tell apart and
 * moves none), or FAILED (the server refused or stayed unreachable). A repeat finds the message already
 * there; a mark handled after a newer one of the same message (the same copy: a multidrop mailbox keeps
 * one per recipient, each moved by its user's marks) is skipped (SpamMarkOrder).
 */
@Injectable()
export class SpamWritebackService {
  private readonly logger = new Logger(SpamWritebackService.name);

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly sessions: MailServerSessions,
    private readonly order: SpamMarkOrder,
    private readonly events: EventPublisher,
    private readonly metrics: WritebackMetrics,
    @Inject(WRITEBACK_SETTINGS) private readonly settings: WritebackSettings,
  ) {}

  async onSpamMarked(event: SpamMarked, ctx: Pick<EventContext, 'deliveryCount'>): Promise<void> {
    const stopTimer = this.metrics.duration.startTimer({ operation: event.spam ? 'to-junk' : 'out-of-junk' });
    const account = await findAccount(this.db, event.accountId);
    let answer: Answer;
    if (!account || account.deletedAt) answer = { result: SpamMoveResult.SKIPPED, reason: `account ${event.accountId} was deleted` };
    else if (await this.order.isSuperseded({ messageId: event.messageId, copyId: event.copyId, requestedAt: event.requestedAt ? timestampDate(event.requestedAt) : new Date(0) })) answer = { result: SpamMoveResult.SKIPPED, reason: 'superseded: a newer spam or not-spam mark of this message (this copy of it) came first' };
    else if (account.receive?.protocol !== 'imap') answer = { result: SpamMoveResult.SKIPPED, reason: 'POP3 accounts have no server folders: the mark stays in mailbus and the provider was not taught' };
    else {
      try {
        answer = await this.sessions.imap(account, (client) => this.move({ client, account, event }));
      } catch (error) {
        const failure = writebackFailure({ error, attempt: ctx.deliveryCount, maxAttempts: this.settings.maxAttempts });
        if (failure.retry) throw failure.error;
        answer = { result: SpamMoveResult.FAILED, errorClass: failure.errorClass, reason: failure.reason };
      }
    }
    stopTimer();
    await this.announce(event, answer);
  }

  private async move({ client, account, event }: { client: ImapFlow; account: AccountDocument; event: SpamMarked }): Promise<Answer> {
    const junk = event.spam ? await ensureJunkFolder(client, { create: this.settings.createJunkFolder && (account.receive?.createJunkFolder ?? true) }) : findJunkFolder(toMailFolders(await client.list()));
    if (event.spam && !junk) return { result: SpamMoveResult.SKIPPED, reason: 'the server has no Junk folder, and creating one is switched off (receive.createJunkFolder or WRITEBACK_CREATE_JUNK_FOLDER)' };
    const to = event.spam ? junk!.path : INBOX;
    const message = serverMessageRef(event.location, { multidrop: account.receive?.multidrop?.enabled === true });
    const searchFolders = searchFoldersFor({ syncedFolders: account.receive?.folders ?? [], ...(junk ? { junkFolder: junk.path } : {}) });
    const keywords = event.spam ? { add: ['$Junk'], remove: ['$NotJunk'] } : { add: ['$NotJunk'], remove: ['$Junk'] };
    return answerOf(await moveImapMessage(client, { message, to, searchFolders, keywords }), message.folder);
  }

  private async announce(event: SpamMarked, answer: Answer): Promise<void> {
    const outcome = answer.result === SpamMoveResult.MOVED ? 'moved' : answer.result === SpamMoveResult.SKIPPED ? 'skipped' : 'failed';
    this.metrics.spamMoves.inc({ direction: event.spam ? 'to-junk' : 'out-of-junk', outcome });
    if (answer.result !== SpamMoveResult.MOVED) this.logger[answer.result === SpamMoveResult.FAILED || answer.ambiguous ? 'warn' : 'log']({ msg: `spam write-back ${outcome}`, requestId: event.requestId, accountId: event.accountId, reason: answer.reason });
    await this.events.publish(
      Events.spamMoved,
      {
        requestId: event.requestId,
        messageId: event.messageId,
        userId: event.userId,
        accountId: event.accountId,
        spam: event.spam,
        result: answer.result,
        fromFolder: answer.fromFolder ?? '',
        toFolder: answer.toFolder ?? '',
        newUidValidity: answer.uidValidity ?? 0,
        newUid: answer.uid ?? 0,
        ...(answer.errorClass ? { errorClass: mailErrorClass(answer.errorClass) } : {}),
        reason: answer.reason ?? '',
        movedAt: timestampFromDate(new Date()),
        copyId: event.copyId,
      },
      { msgId: `spam.moved:${event.requestId}` },
    );
  }
}

function answerOf(outcome: ImapMoveOutcome, fromFolder: string): Answer {
  switch (outcome.result) {
    case 'moved':
      return { result: SpamMoveResult.MOVED, fromFolder: outcome.fromFolder, toFolder: outcome.toFolder, ...(outcome.uidValidity ? { uidValidity: outcome.uidValidity } : {}), ...(outcome.uid ? { uid: outcome.uid } : {}) };
    case 'already-there':
      return { result: SpamMoveResult.SKIPPED, fromFolder, toFolder: outcome.toFolder, ...(outcome.uidValidity ? { uidValidity: outcome.uidValidity } : {}), ...(outcome.uid ? { uid: outcome.uid } : {}), reason: `already in ${outcome.toFolder}` };
    case 'not-found':
      return { result: SpamMoveResult.SKIPPED, fromFolder, reason: outcome.reason };
    case 'ambiguous':
      return { result: SpamMoveResult.SKIPPED, fromFolder: outcome.folder, reason: outcome.reason, ambiguous: true };
  }
}
