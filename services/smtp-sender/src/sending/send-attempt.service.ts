import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { Events, SendFailureKind, mailErrorClass, timestampFromDate } from '@mailbus/contracts';
import type { SecretBox } from '@mailbus/crypto';
import { accountServerSettings, findAccount, type AccountDocument } from '@mailbus/directory';
import { BlobStore, MONGO_DB, blobId } from '@mailbus/mongo-dal';
import { EventPublisher, RetryLaterError, type EventContext } from '@mailbus/nats-transport';
import { isDependencyOutage } from '@mailbus/service-runtime';
import { SENDER_SECRET_BOX, SENDING_SETTINGS } from '../config/sending.tokens';
import type { SendingSettings } from '../config/smtp-sender.config';
import { classifySendError, nextAttempt, recipientOutcome, type ClassifiedSendError, type SendErrorClass } from '../delivery';
import { composeOutboxItem, outboxEnvelope } from '../outbox/compose-outbox-item.util';
import { ComposedMailCache } from '../outbox/composed-mail.cache';
import type { OutboxItemDocument } from '../outbox/outbox-item.document';
import { OutboxAttemptLeases } from '../outbox/outbox-attempt-leases';
import { OutboxRepository } from '../outbox/outbox.repository';
import { OutboxService } from '../outbox/outbox.service';
import { SENT_FOLDER_STATUS_PROTO, SentFolderAppender, type SentFolderOutcome } from '../sent-folder/sent-folder.appender';
import { AttemptHeartbeat } from './attempt-heartbeat';
import { followUpId } from './follow-up-id.util';
import { SendRateLimits } from './send-rate-limits';
import { SenderMetrics } from './sender.metrics';
import { MessageHandOver, SmtpTransports } from './smtp-transports';
import { untilRecorded } from './until-recorded.util';

/** An attempt's lease lives this long without renewal (its heartbeat renews it every 10 s): a dead handler's item is taken again after it. */
const ATTEMPT_LEASE_MS = 45_000;
/**
 * The longest wait before a retry that parks its event in JetStream (a delayed nak). A parked event stays
 * unacknowledged, and once the consumer's max_ack_pending of them pile up (a failing account with a
 * backlog) the server hands out no send.requested at all. A longer wait is recorded on the item, the
 * event acknowledged, and the due-item sweeper (OutboxService) requests the attempt when it is due.
 */
const MAX_PARKED_WAIT_MS = 60_000;
/**
 * How long a handler whose lease was lost while the server accepted the mail waits to take it again and
 * record the delivery: past the other holder's longest attempt (the SMTP reply timeout, 10 minutes).
 */
const RETAKE_PATIENCE_MS = 15 * 60_000;
/** The error text kept on an item is one line of at most this many characters. */
const MAX_ERROR_TEXT = 1_000;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One delivery attempt of an outbox item: compose the fixed bytes, hand them to the account's SMTP
 * server, and record the outcome before announcing it. 4xx answers and network errors come back
 * with backoff and jitter until the horizon; 5xx answers fail at once with the server's text.
 */
@Injectable()
export class SendAttemptService {
  private readonly logger = new Logger(SendAttemptService.name);

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly items: OutboxRepository,
    private readonly leases: OutboxAttemptLeases,
    private readonly outbox: OutboxService,
    private readonly blobs: BlobStore,
    private readonly composedMails: ComposedMailCache,
    private readonly transports: SmtpTransports,
    private readonly events: EventPublisher,
    private readonly metrics: SenderMetrics,
    private readonly rateLimits: SendRateLimits,
    private readonly sentFolder: SentFolderAppender,
    @Inject(SENDER_SECRET_BOX) private readonly box: SecretBox,
    @Inject(SENDING_SETTINGS) private readonly settings: SendingSettings,
  ) {}

  /**
   * The item is worked on under its lease (reads and writes by _id only: FerretDB answers those from
   * SQLite, anything else with a scan of the collection). Only the lease holder writes the item, because
   * FerretDB 1.x rewrites whole documents and two overlapping updates of one item lose one of them.
   */
  async onSendRequested({ outboxId, accountId }: { outboxId: string; accountId: string }, ctx?: Pick<EventContext, 'working'>): Promise<void> {
    const now = new Date();
    // Lease first, then one read: whatever the read says stays true until the lease is released.
    await this.underLease(outboxId, ctx, async (heartbeat) => {
      const current = await this.items.findById(outboxId);
      if (current && unfinished(current)) return this.finishSent(current);
      if (!current || !takeable(current, now)) return this.notTaken(current, outboxId);
      const account = await this.account(accountId);
      const usable = account && !account.deletedAt && account.serviceEnabled && account.send?.enabled ? { account, send: account.send } : undefined;
      // Waiting for the rate limit under the lease is fine: the heartbeat keeps it (and the event) alive.
      if (usable) await this.rateLimits.admit({ accountId, host: usable.send.host, what: `outbox ${outboxId}` });
      // Not written: the lease tells that the item is being sent (GET shows `sending` from it), and the
      // attempt is counted in the write of its outcome. One store round trip less per mail.
      const item: OutboxItemDocument = { ...current, status: 'sending', attempts: current.attempts + 1, firstAttemptAt: current.firstAttemptAt ?? now };
      if (!usable) return this.failPermanently(item, { kind: 'permanent', errorClass: 'unknown', smtpText: `account ${accountId} ${!account || account.deletedAt ? 'was deleted' : 'no longer sends'} since the request was accepted` });
      await this.attempt({ item, account: usable.account, now, heartbeat });
    });
  }

  /** One handler at a time per item: the lease is renewed by a heartbeat (which also restarts the event's ack wait) and expires when its handler dies. */
  private async underLease(outboxId: string, ctx: Pick<EventContext, 'working'> | undefined, work: (heartbeat: AttemptHeartbeat) => Promise<void>): Promise<void> {
    const held = await this.leases.underLease({
      id: outboxId,
      leaseMs: ATTEMPT_LEASE_MS,
      work: async (lease) => {
        const heartbeat = new AttemptHeartbeat({ lease, ctx });
        try {
          await work(heartbeat);
        } finally {
          await heartbeat.stop();
        }
      },
    });
    if (!held) throw new RetryLaterError(ATTEMPT_LEASE_MS / 3, `outbox ${outboxId} is being worked on by another handler`);
  }

  /**
   * Why the item is not worked on: gone, failed (send.failed again, in case its publish failed; JetStream
   * drops a repeat), sent and finished (message.sent again, likewise), or not due.
   */
  private async notTaken(current: OutboxItemDocument | null, outboxId: string): Promise<void> {
    if (!current) return;
    if (current.status === 'failed') return this.announceFailedAgain(current);
    if (current.status === 'sent') return this.announceSent(current);
    if (current.status === 'retrying' && current.nextAttemptAt) return this.notDueYet(current, current.nextAttemptAt, outboxId);
  }

  /**
   * An event that came before the item is due (a duplicate, or a follow-up's first request): parked when
   * the wait is short; otherwise acknowledged, with the due-item sweeper to request the attempt. Under the lease.
   */
  private async notDueYet(item: OutboxItemDocument, nextAttemptAt: Date, outboxId: string): Promise<void> {
    const waitMs = Math.max(0, nextAttemptAt.getTime() - Date.now());
    if (waitMs <= this.maxParkedWaitMs) throw new RetryLaterError(waitMs, `outbox ${outboxId}: next attempt at ${nextAttemptAt.toISOString()}`);
    if (!item.requestDueAt) await this.items.markRequestDue({ id: item._id, at: nextAttemptAt });
  }

  /** Short waits are parked in JetStream (never longer than a due sweep would take to notice them). */
  private get maxParkedWaitMs(): number {
    return Math.min(MAX_PARKED_WAIT_MS, this.settings.pendingSweepIntervalMs);
  }

  private async attempt({ item, account, now, heartbeat }: { item: OutboxItemDocument; account: AccountDocument; now: Date; heartbeat: AttemptHeartbeat }): Promise<void> {
    this.metrics.attempts.inc();
    let prepared: PreparedAttempt;
    try {
      prepared = await this.prepare(item, account);
    } catch (error) {
      // The store or NATS away is not the mail's fault: the event comes back, uncounted. Anything else (a
      // password the keyring cannot open, an unreadable blob) is an attempt that failed: counted, shown on
      // the item, and ended by the horizon, instead of an event dead-lettered with the item left queued.
      if (isDependencyOutage(error)) throw error;
      return this.failedUnderLease(item, notPrepared(error), heartbeat);
    }
    const { raw, sentBlob, envelope, transport } = prepared;
    // The last moment to find the lease lost (a stall or NATS outage longer than it): sending now could be a second copy.
    if (!(await heartbeat.confirm())) return this.handBack(item);
    const stopTimer = this.metrics.duration.startTimer();
    const handOver = new MessageHandOver();
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await transport.sendMail(handOver.attachTo({ envelope: { from: envelope.from, to: item.envelopeTo ?? envelope.to }, raw }));
    } catch (error) {
      return this.failedUnderLease(item, classifySendError(error, { messageWritten: handOver.messageWritten }), heartbeat);
    } finally {
      stopTimer();
    }
    // Accepted: the truth is `sent`, recorded under the lease (taken again if it was lost meanwhile).
    const current = await this.recordAccepted(item, () => this.holdAfterAcceptance(item, heartbeat));
    if (!current) return this.forgetComposed(item);
    item = { ...item, attempts: Math.max(item.attempts, current.attempts) };
    // From here until the item is recorded sent, a crash redelivers the event while the item is still queued or
    // retrying: the mail may go out twice, the only duplicate the design allows, with the same Message-ID. A store
    // outage does not: those writes wait for it (recordAccepted).
    const outcome = recipientOutcome(info);
    // A follow-up's copy was filed with the first delivery.
    const skippedSentFolder: SentFolderOutcome | undefined = item.retryOf ? { status: 'skipped', folder: '', reason: `filed with the first delivery (outbox ${item.retryOf})` } : this.sentFolder.skipped(account, item.appendToSent);
    const followUp = this.followUpFor({ item, deferred: outcome.rejected.filter(({ kind }) => kind === 'retrying').map(({ recipient }) => recipient), now });
    // Stored before the item is recorded sent: a crash in between sends the whole mail again (allowed), never loses the deferred recipients.
    if (followUp) await this.recordAccepted(item, () => this.items.insertIfAbsent(followUp));
    const sent: Partial<OutboxItemDocument> = {
      ...attemptCount(item),
      status: 'sent',
      sentAt: new Date(),
      acceptedRecipients: outcome.accepted,
      rejectedRecipients: outcome.rejected.map(({ recipient, kind, smtpCode, smtpText }) => ({ address: recipient, kind, ...(smtpCode ? { code: smtpCode } : {}), text: smtpText })),
      ...(outcome.response ? { smtpResponse: outcome.response } : {}),
      ...(sentBlob ? { sentBlob } : {}),
      // Known without the IMAP server (no IMAP side, appendToSent never, a self-filing provider): one write less.
      ...(skippedSentFolder ? { sentFolder: skippedSentFolder } : {}),
      ...(followUp ? { deferredTo: followUp._id } : {}),
    };
    if (skippedSentFolder) this.metrics.sentFolderAppends.inc({ outcome: 'skipped' });
    await this.recordAccepted(item, () => this.items.recordAttempt({ id: item._id, set: sent }));
    // A follow-up sends the same bytes soon; otherwise nothing sends them again.
    if (!followUp) this.forgetComposed(item);
    if (followUp) await this.outbox.requestSend(followUp);
    await this.finishSent({ ...item, ...sent }, { account, raw });
  }

  /** What an attempt sends, and over which transport; everything that can fail before the SMTP server is asked. */
  private async prepare(item: OutboxItemDocument, account: AccountDocument): Promise<PreparedAttempt> {
    const { raw, sentBlob } = await this.bytesOf(item, account);
    const envelope = outboxEnvelope({ item, archiveBcc: [...this.settings.archiveBcc, ...(account.archiveBcc ? [account.archiveBcc] : [])], envelopeFrom: account.email });
    const transport = this.transports.for({
      accountId: account._id,
      revision: account.revision,
      server: accountServerSettings({ box: this.box, account, side: 'send' }),
      timeoutMs: this.settings.mailTimeoutMs,
    });
    return { raw, ...(sentBlob ? { sentBlob } : {}), envelope, transport };
  }

  /**
   * A failed attempt: permanent, given up at the horizon, or retried. A retry due soon parks the event in
   * JetStream; a later one is recorded with `requestDueAt` and the event acknowledged (see MAX_PARKED_WAIT_MS).
   */
  private async failed(item: OutboxItemDocument, classified: ClassifiedSendError): Promise<void> {
    this.metrics.failures.inc({ class: classified.errorClass });
    if (classified.kind === 'permanent') return this.failPermanently(item, classified);
    const next = this.nextAttemptOf(item, new Date());
    if ('giveUp' in next) return this.failPermanently(item, { ...classified, smtpText: `${classified.smtpText} (still failing after ${Math.round(this.settings.horizonMs / 3_600_000)} h; given up)` });
    const waitMs = Math.max(next.at.getTime() - Date.now(), 0);
    const parked = waitMs <= this.maxParkedWaitMs;
    await this.items.recordAttempt({ id: item._id, set: { ...attemptCount(item), status: 'retrying', nextAttemptAt: next.at, lastError: lastError(classified), ...(parked ? {} : { requestDueAt: next.at }) } });
    await this.announceFailure({ item, classified, kind: SendFailureKind.RETRYING, nextAttemptAt: next.at });
    this.logger.warn({ msg: 'send failed; retrying later', outboxId: item._id, attempt: item.attempts, class: classified.errorClass, smtpCode: classified.smtpCode, nextAttemptAt: next.at, parked });
    if (parked) throw new RetryLaterError(waitMs, `outbox ${item._id}: retry after ${classified.errorClass}`);
  }

  /**
   * A failed send is recorded only by the lease's holder. A handler that lost the lease gives up quietly:
   * the item is the new holder's, whose attempt records its own outcome. NATS away is waited out, as
   * after an acceptance: handing the event back would send again a mail that may have been delivered.
   */
  private async failedUnderLease(item: OutboxItemDocument, classified: ClassifiedSendError, heartbeat: AttemptHeartbeat): Promise<void> {
    const held = await untilRecorded(() => heartbeat.confirm(), {
      onWait: (error, retryInMs) => this.logger.warn({ msg: 'send failed; NATS is unavailable to confirm the attempt lease before recording it, retrying', outboxId: item._id, retryInMs, err: (error as Error).message }),
    });
    if (held) return this.failed(item, classified);
    this.metrics.failures.inc({ class: classified.errorClass });
    this.logger.warn({ msg: 'send failed after the attempt lease was lost; left to its new holder', outboxId: item._id, class: classified.errorClass, text: classified.smtpText });
  }

  /** The lease was lost before sending: nothing sent, nothing written; the event comes back and finds the item held, finished or free. */
  private handBack(item: OutboxItemDocument): never {
    this.logger.warn({ msg: 'attempt lease lost before sending (a stall or NATS outage longer than the lease); not sent', outboxId: item._id });
    throw new RetryLaterError(ATTEMPT_LEASE_MS / 3, `outbox ${item._id}: attempt lease lost before sending`);
  }

  /**
   * After the server's acceptance: the item as the lease's holder sees it, or undefined when another
   * handler already recorded it sent. A handler that lost its lease does not write at once: the new
   * holder may be writing the item now, and on FerretDB 1.x two overlapping writes lose one of them
   * (a conditional filter such as `status != 'sent'` matches first and writes later, so it would not
   * prevent that). So it takes the lease again, waiting for the other holder to finish or its lease to
   * expire, and reads the item: `sent` means the other holder's copy went out too and is recorded
   * (nothing to add, nothing undone); anything else (`retrying`, `failed`, unchanged) is older than
   * this delivery, and `sent` is written over it, because the mail did go out and further attempts
   * would only send more copies.
   */
  private async holdAfterAcceptance(item: OutboxItemDocument, heartbeat: AttemptHeartbeat): Promise<OutboxItemDocument | undefined> {
    if (await heartbeat.confirm()) return item;
    this.logger.warn({ msg: 'mail accepted by the server after the attempt lease was lost; taking it again to record the delivery', outboxId: item._id });
    const giveUpAt = Date.now() + RETAKE_PATIENCE_MS;
    while (!(await heartbeat.retake())) {
      if (Date.now() > giveUpAt) throw new Error(`outbox ${item._id}: sent, but the attempt lease could not be taken again to record it`);
      await wait(ATTEMPT_LEASE_MS / 3);
    }
    const current = await this.items.findById(item._id);
    if (current?.status !== 'sent') return current ?? undefined;
    this.logger.warn({ msg: 'mail accepted by the server, and another handler recorded its own delivery meanwhile: sent twice', outboxId: item._id });
    return undefined;
  }

  /** A write after the server's acceptance waits out a store outage: only a crash may send a mail twice. */
  private recordAccepted<T>(item: OutboxItemDocument, write: () => Promise<T>): Promise<T> {
    return untilRecorded(write, {
      onWait: (error, retryInMs) =>
        this.logger.warn({ msg: 'mail accepted by the server but not recorded yet: the store is unavailable; retrying so that it is not sent twice', outboxId: item._id, retryInMs, err: (error as Error).message }),
    });
  }

  /**
   * Recipients the server deferred one by one (4xx at RCPT) while it took the others get the same
   * message again later, as a follow-up item with only them in the envelope, retried like any item
   * until the horizon (counted from the first attempt). None when nothing was deferred or time is up.
   */
  private followUpFor({ item, deferred, now }: { item: OutboxItemDocument; deferred: string[]; now: Date }): OutboxItemDocument | undefined {
    if (deferred.length === 0) return undefined;
    const next = this.nextAttemptOf(item, now);
    if ('giveUp' in next) return undefined;
    const { sentAt: _sentAt, acceptedRecipients: _accepted, rejectedRecipients: _rejected, smtpResponse: _response, sentBlob: _blob, sentFolder: _folder, lastError: _error, deferredTo: _deferredTo, requestedAgainAt: _again, ...message } = item;
    return { ...message, _id: followUpId(item), retryOf: item.retryOf ?? item._id, envelopeTo: deferred, status: 'retrying', nextAttemptAt: next.at, pendingPublish: true, createdAt: now, updatedAt: now };
  }

  /**
   * The bytes to send: composed on acceptance (read back), or, for an item accepted before mailbus did
   * that, composed now and stored before sending, so nothing after the server's acceptance can fail on
   * it. A follow-up's bytes are the original's, stored with the original.
   */
  private async bytesOf(item: OutboxItemDocument, account: AccountDocument): Promise<{ raw: Buffer; sentBlob?: NonNullable<OutboxItemDocument['sentBlob']> }> {
    if (item.composedBlob) return { raw: this.composedMails.get(item.composedBlob.id) ?? (await this.read(item.composedBlob.id)), ...(item.retryOf ? {} : { sentBlob: item.composedBlob }) };
    const attachments = await Promise.all(item.attachments.map(async ({ filename, contentType, blobId: id }) => ({ filename, contentType, content: await this.read(id) })));
    const { raw } = await composeOutboxItem({ item, attachments, signature: account.signature ?? {} });
    return { raw, ...(item.retryOf ? {} : { sentBlob: await this.storeSentCopy(item, raw) }) };
  }

  private async read(id: string): Promise<Buffer> {
    return this.blobs.readBytes(blobId(id));
  }

  private async storeSentCopy(item: OutboxItemDocument, raw: Buffer): Promise<NonNullable<OutboxItemDocument['sentBlob']>> {
    const stored = await this.blobs.putBytes({ id: blobId(`sent-${item._id}`), bytes: raw, metadata: { outboxId: item._id } });
    return { id: stored.id, size: stored.length, sha256: stored.sha256 };
  }

  /** When to try again after this attempt: backoff with jitter, or give up past the horizon counted from the first attempt. */
  private nextAttemptOf(item: OutboxItemDocument, now: Date): ReturnType<typeof nextAttempt> {
    return nextAttempt({ attempt: item.attempts, firstAttemptAt: item.firstAttemptAt ?? now, now, horizonMs: this.settings.horizonMs, baseMs: this.settings.retryBaseMs, maxDelayMs: this.settings.retryMaxDelayMs });
  }

  /** After the server's acceptance: the Sent-folder copy (once; a redelivery after a crash does it then), then message.sent. */
  private async finishSent(item: OutboxItemDocument, known: { account?: AccountDocument; raw?: Buffer } = {}): Promise<void> {
    if (!item.sentFolder && item.sentBlob) {
      const account = known.account ?? (await this.account(item.accountId));
      const sentFolder: SentFolderOutcome = account ? await this.fileSentCopy({ item, sentBlobId: item.sentBlob.id, account, raw: known.raw }) : { status: 'skipped', folder: '', reason: 'the account was deleted' };
      this.metrics.sentFolderAppends.inc({ outcome: sentFolder.status });
      await this.items.recordAttempt({ id: item._id, set: { sentFolder } });
      item = { ...item, sentFolder };
    }
    await this.announceSent(item);
  }

  /** The Sent-folder copy; a copy whose bytes cannot be read fails (the mail is out, message.sent must follow), unless the store is away. */
  private async fileSentCopy({ item, sentBlobId, account, raw }: { item: OutboxItemDocument; sentBlobId: string; account: AccountDocument; raw?: Buffer }): Promise<SentFolderOutcome> {
    let bytes: Buffer;
    try {
      bytes = raw ?? (await this.read(sentBlobId));
    } catch (error) {
      if (isDependencyOutage(error)) throw error;
      return { status: 'failed', folder: '', reason: `the sent copy could not be read: ${errorText(error)}` };
    }
    return this.sentFolder.append({ account, raw: bytes, messageIdHeader: item.messageIdHeader, ...(item.appendToSent ? { setting: item.appendToSent } : {}) });
  }

  private forgetComposed(item: OutboxItemDocument): void {
    if (item.composedBlob) this.composedMails.forget(item.composedBlob.id);
  }

  private account(id: string): Promise<AccountDocument | null> {
    return findAccount(this.db, id);
  }

  private async failPermanently(item: OutboxItemDocument, classified: ClassifiedSendError): Promise<void> {
    await this.items.recordAttempt({ id: item._id, set: { ...attemptCount(item), status: 'failed', lastError: lastError(classified) } });
    this.forgetComposed(item);
    await this.announceFailure({ item, classified, kind: SendFailureKind.PERMANENT });
    this.logger.warn({ msg: 'send failed permanently', outboxId: item._id, class: classified.errorClass, smtpCode: classified.smtpCode, text: classified.smtpText });
  }

  private async announceSent(item: OutboxItemDocument): Promise<void> {
    await this.events.publish(
      Events.messageSent,
      {
        outboxId: item._id,
        accountId: item.accountId,
        userId: item.userId ?? '',
        messageIdHeader: item.messageIdHeader,
        acceptedRecipients: item.acceptedRecipients ?? [],
        rejectedRecipients: (item.rejectedRecipients ?? []).map(({ address, code, text }) => ({ address, smtpCode: code ?? 0, smtpText: text })),
        smtpResponse: item.smtpResponse ?? '',
        attempt: item.attempts,
        ...(item.sentAt ? { sentAt: timestampFromDate(item.sentAt) } : {}),
        ...(item.sentFolder ? { sentFolder: { status: SENT_FOLDER_STATUS_PROTO[item.sentFolder.status], folder: item.sentFolder.folder, uidValidity: item.sentFolder.uidValidity ?? 0, uid: item.sentFolder.uid ?? 0, reason: item.sentFolder.reason } } : {}),
        blobId: item.sentBlob?.id ?? '',
        retryOf: item.retryOf ?? '',
        size: BigInt(item.sentBlob?.size ?? 0),
        sha256: item.sentBlob?.sha256 ?? '',
      },
      { msgId: `message.sent:${item._id}` },
    );
  }

  /** A failure recorded before its send.failed got out (the publish failed, the event came again): announced from the record. */
  private async announceFailedAgain(item: OutboxItemDocument): Promise<void> {
    if (!item.lastError) return;
    const { class: errorClass, smtpCode, enhancedStatus, text, at } = item.lastError;
    const classified: ClassifiedSendError = { kind: 'permanent', errorClass: errorClass as SendErrorClass, ...(smtpCode ? { smtpCode } : {}), ...(enhancedStatus ? { enhancedStatus } : {}), smtpText: text };
    await this.announceFailure({ item, classified, kind: SendFailureKind.PERMANENT, failedAt: at });
  }

  /** Its msg id names the attempt: a repeat for the same attempt is dropped by JetStream. */
  private async announceFailure({ item, classified, kind, nextAttemptAt, failedAt = new Date() }: { item: OutboxItemDocument; classified: ClassifiedSendError; kind: SendFailureKind; nextAttemptAt?: Date; failedAt?: Date }): Promise<void> {
    await this.events.publish(
      Events.sendFailed,
      {
        outboxId: item._id,
        accountId: item.accountId,
        userId: item.userId ?? '',
        kind,
        errorClass: mailErrorClass(classified.errorClass),
        smtpCode: classified.smtpCode ?? 0,
        smtpText: classified.smtpText,
        enhancedStatus: classified.enhancedStatus ?? '',
        message: classified.smtpText,
        attempt: item.attempts,
        ...(nextAttemptAt ? { nextAttemptAt: timestampFromDate(nextAttemptAt) } : {}),
        failedAt: timestampFromDate(failedAt),
      },
      { msgId: `send.failed:${item._id}:${item.attempts}` },
    );
  }
}

interface PreparedAttempt {
  raw: Buffer;
  sentBlob?: NonNullable<OutboxItemDocument['sentBlob']>;
  envelope: ReturnType<typeof outboxEnvelope>;
  transport: ReturnType<SmtpTransports['for']>;
}

/** An attempt that failed before the SMTP server was asked: retried like a failure without a reply, until the horizon. */
function notPrepared(error: unknown): ClassifiedSendError {
  return { kind: 'retrying', errorClass: 'unknown', smtpText: `the mail could not be prepared for sending: ${errorText(error)}` };
}

function errorText(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** What an attempt's outcome records of the attempt itself. */
function attemptCount(item: OutboxItemDocument): Pick<OutboxItemDocument, 'attempts' | 'firstAttemptAt'> {
  return { attempts: item.attempts, ...(item.firstAttemptAt ? { firstAttemptAt: item.firstAttemptAt } : {}) };
}

function lastError(classified: ClassifiedSendError): NonNullable<OutboxItemDocument['lastError']> {
  return { kind: classified.kind, class: classified.errorClass, ...(classified.smtpCode ? { smtpCode: classified.smtpCode } : {}), ...(classified.enhancedStatus ? { enhancedStatus: classified.enhancedStatus } : {}), text: classified.smtpText, at: new Date() };
}

/**
 * Whether an attempt may start: not finished, and due. `pendingPublish` does not matter: this event is
 * the publish, and the attempt's write records it. `sending` (written by versions before the lease told
 * it) counts: the lease says whether its handler lives.
 */
function takeable(item: OutboxItemDocument, now: Date): boolean {
  if (item.status === 'queued' || item.status === 'sending') return true;
  return item.status === 'retrying' && (!item.nextAttemptAt || item.nextAttemptAt <= now);
}

/** A sent item whose Sent-folder copy (and so message.sent) is still due: a crash came after the server's acceptance. */
function unfinished(item: OutboxItemDocument): boolean {
  return item.status === 'sent' && !item.sentFolder && item.sentBlob !== undefined;
}
