import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Events, timestampFromDate, type CreateOutboxRequest, type OutboxItemView } from '@mailbus/contracts';
import { BlobStore, blobId, newId, type BlobPutResult } from '@mailbus/mongo-dal';
import { EventPublisher, PendingPublishSweeper } from '@mailbus/nats-transport';
import { InvalidAddressError } from '@mailbus/mail-protocol';
import { RpcDomainError } from '@mailbus/service-runtime';
import { SENDING_SETTINGS } from '../config/sending.tokens';
import type { SendingSettings } from '../config/smtp-sender.config';
import { toMessageId } from '../composition';
import { selectSenderAccount } from '../selection';
import { composeOutboxItem, type OutboxMessageFields } from './compose-outbox-item.util';
import { ComposedMailCache } from './composed-mail.cache';
import { OutboxAttemptLeases } from './outbox-attempt-leases';
import type { OutboxItemDocument } from './outbox-item.document';
import { OutboxRepository } from './outbox.repository';
import { SenderDirectoryReader } from './sender-directory.reader';

/** How long the sweeper holds an item's attempt lease to record a publish or a request: one write. */
const SWEEPER_LEASE_MS = 30_000;
/** Due retries requested per sweep: a failing account's whole backlog may come due at once. */
const DUE_SWEEP_BATCH = 1_000;

/**
 * Accepts outbox requests: picks the sender account (FlowFact's rules), stores the attachments and
 * the item with everything that makes its bytes fixed, and publishes send.requested (outbox pattern:
 * `pendingPublish` until an attempt, or the sweeper, records that JetStream has it; the sweeper
 * publishes again what is left, msg id = item id, so JetStream drops a repeat).
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxService.name);
  private readonly sweeper: PendingPublishSweeper<OutboxItemDocument>;
  private readonly stalledSweeper: PendingPublishSweeper<OutboxItemDocument>;
  private readonly dueSweeper: PendingPublishSweeper<OutboxItemDocument>;

  constructor(
    private readonly items: OutboxRepository,
    private readonly directory: SenderDirectoryReader,
    private readonly blobs: BlobStore,
    private readonly events: EventPublisher,
    private readonly composedMails: ComposedMailCache,
    private readonly attemptLeases: OutboxAttemptLeases,
    @Inject(SENDING_SETTINGS) settings: SendingSettings,
  ) {
    this.sweeper = new PendingPublishSweeper({ event: 'send.requested', pending: (query) => this.items.pendingPublish(query), publish: (item) => this.republish(item), intervalMs: settings.pendingSweepIntervalMs });
    // An item never stays `sending` (or overdue) for good: a crash is redelivered by JetStream after its
    // ack wait, and what even that lost (a dead-lettered event) is requested again from here.
    this.stalledSweeper = new PendingPublishSweeper({ event: 'send.requested (stalled items)', pending: (query) => this.items.stalled(query), publish: (item) => this.requestAgain(item), minAgeMs: settings.stalledAfterMs, intervalMs: Math.min(60_000, settings.stalledAfterMs) });
    // Retries whose wait was too long to park their event in JetStream come back from here, one sweep after they are due.
    this.dueSweeper = new PendingPublishSweeper({ event: 'send.requested (due retries)', pending: (query) => this.items.due(query), publish: (item) => this.requestDue(item), minAgeMs: 0, intervalMs: settings.pendingSweepIntervalMs, batch: DUE_SWEEP_BATCH });
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
    this.stalledSweeper.start();
    this.dueSweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.sweeper.stop(), this.stalledSweeper.stop(), this.dueSweeper.stop()]);
  }

  async create(request: CreateOutboxRequest): Promise<OutboxItemView> {
    const inReplyTo = request.inReplyTo ? replyMessageId(request.inReplyTo) : undefined;
    // A repeated request with the same key is the same item: its id derives from the key.
    const id = request.idempotencyKey ? idFromKey(`${request.userId ?? `account:${request.accountId}`}\u0000${request.idempotencyKey}`) : newId();
    if (request.idempotencyKey) {
      const earlier = await this.items.findById(id);
      if (earlier) return outboxView(earlier);
    }
    const user = request.userId ? await this.directory.user(request.userId) : undefined;
    // The From names an account (rule 1), else the default From does (rule 2): load it even when it is not the user's, to refuse it.
    const namedFrom = request.from ?? user?.defaultFrom;
    const accounts = await this.directory.candidates({ ...(request.accountId ? { accountId: request.accountId } : {}), ...(request.userId ? { userId: request.userId } : {}), addresses: namedFrom ? [namedFrom] : [] });
    const selection = selectSenderAccount({ request: { ...(request.userId ? { userId: request.userId } : {}), ...(request.accountId ? { accountId: request.accountId } : {}), ...(request.from ? { from: request.from } : {}) }, user, accounts });
    if (selection.refused) throw RpcDomainError.unprocessable(`${selection.reason} (${selection.code})`);
    const attachments = request.attachments.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, content: Buffer.from(contentBase64, 'base64') }));
    const now = new Date();
    const domain = selection.from.address.split('@').pop() ?? 'mailbus.invalid';
    const nonce = randomBytes(12).toString('hex');
    const fields: OutboxMessageFields = {
      from: selection.from,
      ...(selection.replyTo ? { replyTo: selection.replyTo } : {}),
      to: request.to,
      cc: request.cc,
      bcc: request.bcc,
      subject: request.subject,
      ...(request.text !== undefined ? { text: request.text } : {}),
      ...(request.html !== undefined ? { html: request.html } : {}),
      ...(inReplyTo ? { inReplyTo, references: await this.directory.replyReferences(inReplyTo) } : {}),
      // Fixed now and kept across retries: a repeat after a crash between the server's acceptance and our record carries the same Message-ID.
      messageIdHeader: `<${nonce}.${now.getTime().toString(36)}@${domain}>`,
      date: now,
    };
    // Composed now, so that every attempt sends these bytes; stored with the attachments in one batch. The
    // blob's id has the Message-ID's nonce: two requests with one Idempotency-Key racing here compose
    // different mails, and the item that wins must find its own.
    const signature = accounts.find((account) => account.id === selection.accountId)?.signature ?? {};
    const composed = await composeOutboxItem({ item: fields, attachments, signature }).catch((error: Error) => {
      if (error instanceof InvalidAddressError) throw RpcDomainError.unprocessable(`the mail cannot be composed: ${error.message}`);
      throw error;
    });
    const stored = await this.blobs.putMany([
      { id: blobId(`sent-${id}-${nonce}`), bytes: composed.raw, metadata: { outboxId: id } },
      ...attachments.map(({ content }, index) => ({ id: blobId(`outbox-${id}-${index}`), bytes: content, metadata: { outboxId: id } })),
    ]);
    // The bodies are in the composed mail, which every attempt sends: kept out of the item, whose document
    // MongoDB limits to 16 MB (15 M characters of non-ASCII text are more).
    const { text: _text, html: _html, ...headerFields } = fields;
    let item: OutboxItemDocument;
    try {
      const [composedBlob, ...attachmentBlobs] = stored.map((blob) => {
        if (blob instanceof Error) throw blob;
        return blob;
      });
      item = {
        _id: id,
        ...(request.userId ? { userId: request.userId } : {}),
        accountId: selection.accountId,
        selectedBy: selection.rule,
        ...headerFields,
        ...(request.appendToSent ? { appendToSent: request.appendToSent } : {}),
        attachments: request.attachments.map(({ filename, contentType }, index) => ({ filename, contentType, blobId: attachmentBlobs[index]!.id, size: attachmentBlobs[index]!.length })),
        composedBlob: { id: composedBlob!.id, size: composedBlob!.length, sha256: composedBlob!.sha256 },
        status: 'queued',
        attempts: 0,
        pendingPublish: true,
        createdAt: now,
        updatedAt: now,
      };
      if (!(await this.items.insertIfAbsent(item))) {
        // A request with the same key won the race: its item has its own composed mail, this one is nobody's.
        await this.deleteBlobs(stored.slice(0, 1), id);
        return outboxView((await this.items.findById(id)) ?? item);
      }
    } catch (error) {
      // Attachment blob ids derive from the item id: with an Idempotency-Key a racing request may own them.
      await this.deleteBlobs(request.idempotencyKey ? stored.slice(0, 1) : stored, id);
      throw error;
    }
    this.composedMails.remember(item.composedBlob!.id, composed.raw);
    await this.requestSend(item);
    return outboxView(item);
  }

  /** Best effort: blobs stored for a request whose item was not stored would stay forever. Only those this request created. */
  private async deleteBlobs(stored: Array<BlobPutResult | Error>, outboxId: string): Promise<void> {
    for (const blob of stored) {
      if (blob instanceof Error || !blob.created) continue;
      await this.blobs.delete(blob.id).catch((error: Error) => this.logger.warn({ msg: 'blob of an outbox request that was not stored not deleted', outboxId, blobId: blob.id, err: error.message }));
    }
  }

  async get(id: string): Promise<OutboxItemView> {
    const [item, beingSent] = await Promise.all([this.items.findById(id), this.attemptLeases.isHeld(id)]);
    if (!item) throw RpcDomainError.notFound(`outbox item ${id} does not exist`);
    return outboxView(item, { beingSent });
  }

  /**
   * Publishes send.requested for a stored item; what fails here the sweeper publishes later. Nothing is
   * written after it: the attempt the event starts may be writing the item already (FerretDB 1.x rewrites
   * whole documents, and of two overlapping updates one is lost), and that attempt records the publish.
   */
  async requestSend(item: OutboxItemDocument): Promise<void> {
    await this.publish(item).catch((error: Error) => this.logger.warn({ msg: 'send.requested not published yet; the sweeper retries', outboxId: item._id, err: error }));
  }

  /** The sweeper: a crash before the publish, or an item not yet attempted (then JetStream drops the repeat); recorded so that it is published again no more. */
  private async republish(item: OutboxItemDocument): Promise<void> {
    await this.publish(item);
    // Held by an attempt: its own write records the publish.
    await this.underAttemptLease(item._id, () => this.items.markPublished(item._id));
  }

  /**
   * Recorded first, and under the attempt lease, because the event starts an attempt at once; a new msg
   * id per request, so that JetStream does not drop it as a repeat of the first. A failed publish is
   * tried again when the stalled clock runs out once more.
   */
  private async requestAgain(item: OutboxItemDocument): Promise<void> {
    // Held: an attempt is working on the item, so it is not stalled.
    if (!(await this.underAttemptLease(item._id, () => this.items.markRequestedAgain(item._id)))) return;
    this.logger.warn({ msg: 'outbox item stalled; requesting it again', outboxId: item._id, status: item.status, since: item.updatedAt });
    await this.events.publish(Events.sendRequested, sendRequestedOf(item), { msgId: `send.requested:${item._id}:again:${Date.now()}` });
  }

  /**
   * A retry that is due: published first (the attempt it starts may then hold the lease and record
   * its own outcome), with a msg id per attempt, so that JetStream drops a repeat of this request but
   * not the next attempt's. Then recorded under the attempt lease; while an attempt holds it, the next
   * sweep publishes again (dropped as a repeat) and records it then, unless that attempt's write did.
   */
  private async requestDue(item: OutboxItemDocument): Promise<void> {
    const requested = item.requestDueAt;
    if (!requested) return;
    await this.events.publish(Events.sendRequested, sendRequestedOf(item), { msgId: `send.requested:${item._id}:attempt:${item.attempts + 1}` });
    await this.underAttemptLease(item._id, () => this.items.clearRequestDue({ id: item._id, requested }));
  }

  private async publish(item: OutboxItemDocument): Promise<void> {
    await this.events.publish(Events.sendRequested, sendRequestedOf(item), { msgId: `send.requested:${item._id}` });
  }

  /** Only the holder of an item's attempt lease writes the item; false when an attempt holds it. */
  private underAttemptLease(id: string, write: () => Promise<void>): Promise<boolean> {
    return this.attemptLeases.underLease({ id, leaseMs: SWEEPER_LEASE_MS, work: write });
  }
}

/** The Message-ID a reply answers, with its angle brackets; a 400 for anything else (it would make malformed headers). */
function replyMessageId(value: string): string {
  try {
    return toMessageId(value);
  } catch (error) {
    if (error instanceof RangeError) throw RpcDomainError.invalid([{ path: 'inReplyTo', message: 'must be a Message-ID like <local@domain> (the angle brackets may be left out)' }]);
    throw error;
  }
}

const sendRequestedOf = (item: OutboxItemDocument) => ({ outboxId: item._id, userId: item.userId ?? '', accountId: item.accountId, requestedAt: timestampFromDate(item.createdAt) });

/** 22 URL-safe characters like newId(), from the key's SHA-256. */
const idFromKey = (key: string): string => createHash('sha256').update(key).digest('base64url').slice(0, 22);

/**
 * What the API shows of an item. `sending` comes from the attempt's lease, not from the item: an attempt
 * writes the item only with its outcome, and a crashed attempt's lease runs out, so an item never shows
 * `sending` after a crash. Its `attempts` count the attempts that came to an outcome.
 */
export function outboxView(item: OutboxItemDocument, { beingSent = false }: { beingSent?: boolean } = {}): OutboxItemView {
  const status = beingSent && (item.status === 'queued' || item.status === 'retrying') ? 'sending' : item.status;
  return {
    id: item._id,
    status,
    ...(item.userId ? { userId: item.userId } : {}),
    accountId: item.accountId,
    messageIdHeader: item.messageIdHeader,
    attempts: item.attempts,
    ...(item.lastError ? { lastError: { ...(item.lastError.smtpCode ? { smtpCode: item.lastError.smtpCode } : {}), text: item.lastError.text, class: item.lastError.class, at: item.lastError.at.toISOString() } } : {}),
    ...(status === 'retrying' && item.nextAttemptAt ? { nextAttemptAt: item.nextAttemptAt.toISOString() } : {}),
    ...(item.acceptedRecipients ? { acceptedRecipients: item.acceptedRecipients } : {}),
    ...(item.rejectedRecipients ? { rejectedRecipients: item.rejectedRecipients.map(({ address, code, text }) => ({ address, ...(code ? { code } : {}), text })) } : {}),
    createdAt: item.createdAt.toISOString(),
    ...(item.sentAt ? { sentAt: item.sentAt.toISOString() } : {}),
    ...(item.deferredTo ? { deferredTo: item.deferredTo } : {}),
    ...(item.retryOf ? { retryOf: item.retryOf, envelopeTo: item.envelopeTo ?? [] } : {}),
    ...(item.sentFolder ? { sentFolder: { status: item.sentFolder.status, folder: item.sentFolder.folder, ...(item.sentFolder.uidValidity ? { uidValidity: item.sentFolder.uidValidity } : {}), ...(item.sentFolder.uid ? { uid: item.sentFolder.uid } : {}), ...(item.sentFolder.reason ? { reason: item.sentFolder.reason } : {}) } } : {}),
  };
}
