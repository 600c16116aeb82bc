import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from 'mongodb';
import { Events, SendFailureKind } from '@mailbus/contracts';
import { SecretDecryptError, type SecretBox } from '@mailbus/crypto';
import type { AccountDocument } from '@mailbus/directory';
import type { BlobStore } from '@mailbus/mongo-dal';
import { RetryLaterError, type EventPublisher } from '@mailbus/nats-transport';
import type { SendingSettings } from '../config/smtp-sender.config';
import type { ComposedMailCache } from '../outbox/composed-mail.cache';
import type { AttemptLease, OutboxAttemptLeases } from '../outbox/outbox-attempt-leases';
import type { OutboxItemDocument } from '../outbox/outbox-item.document';
import type { OutboxRepository } from '../outbox/outbox.repository';
import type { OutboxService } from '../outbox/outbox.service';
import type { SentFolderAppender } from '../sent-folder/sent-folder.appender';
import { SendAttemptService } from './send-attempt.service';
import type { SendRateLimits } from './send-rate-limits';
import type { SenderMetrics } from './sender.metrics';
import { MessageHandOver, type SmtpTransports } from './smtp-transports';

const HOUR = 3_600_000;
const settings: SendingSettings = { mailTimeoutMs: 30_000, hostConnectionCap: 3, retryBaseMs: 600_000, retryMaxDelayMs: HOUR, horizonMs: 24 * HOUR, archiveBcc: [], stalledAfterMs: 600_000, pendingSweepIntervalMs: 15_000 };

const account: AccountDocument = {
  _id: 'acc1',
  email: 'sales@example.com',
  serviceEnabled: true,
  revision: 1,
  send: { enabled: true, host: 'smtp.example.com', port: 587, security: 'starttls', username: 'sales', passwordSealed: 'mb1.k1.sealed' },
} as unknown as AccountDocument;

const queuedItem = (overrides: Partial<OutboxItemDocument> = {}): OutboxItemDocument => ({
  _id: 'item1',
  accountId: account._id,
  selectedBy: 'system',
  from: { address: 'sales@example.com', name: 'Sales' },
  to: ['max@example.org'],
  cc: [],
  bcc: [],
  subject: 'Offer',
  text: 'Hello',
  attachments: [],
  messageIdHeader: '<n1@example.com>',
  date: new Date(),
  composedBlob: { id: 'sent-item1-n1', size: 10, sha256: 'x' },
  status: 'queued',
  attempts: 0,
  pendingPublish: false,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

const greylisted = () => Object.assign(new Error('Message failed: 451 4.3.0 Try again later'), { code: 'EMESSAGE', response: '451 4.3.0 Try again later', responseCode: 451, command: 'DATA' });

/** The outbox collection in memory, written the way OutboxRepository writes it. */
class InMemoryOutbox {
  readonly stored = new Map<string, OutboxItemDocument>();
  findById = async (id: string) => this.stored.get(id) ?? null;
  recordAttempt = async ({ id, set }: { id: string; set: Partial<OutboxItemDocument> }) => {
    const { requestDueAt: _previous, ...current } = this.stored.get(id)!;
    this.stored.set(id, { ...current, ...set, pendingPublish: false, updatedAt: new Date() });
  };
  markRequestDue = async ({ id, at }: { id: string; at: Date }) => void this.stored.set(id, { ...this.stored.get(id)!, requestDueAt: at });
  insertIfAbsent = async (item: OutboxItemDocument) => !this.stored.has(item._id) && Boolean(this.stored.set(item._id, item));
}

async function consume(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

const accepted = async () => ({ accepted: ['max@example.org'], rejected: [], response: '250 2.0.0 Ok: queued' });

/** The attempt lease as the handler sees it: renewals answer `held` (false: another handler took it), retakes `free`. */
class ScriptedLease implements AttemptLease {
  held = true;
  free = true;
  renew = vi.fn(async () => this.held);
  retake = vi.fn(async () => {
    if (this.free) this.held = true;
    return this.free;
  });
}

function setup({
  sendMail = async () => Promise.reject(greylisted()),
  open = () => 'password',
  publish = async () => ({}),
  lease = new ScriptedLease(),
}: { sendMail?: (options: Record<string, unknown>) => Promise<unknown>; open?: () => string; publish?: () => Promise<unknown>; lease?: ScriptedLease } = {}) {
  const items = new InMemoryOutbox();
  const published: Array<{ subject: string; payload: Record<string, unknown>; msgId: string }> = [];
  const events = { publish: vi.fn(async (def: { subject: string }, payload: Record<string, unknown>, { msgId }: { msgId: string }) => {
    await publish();
    published.push({ subject: def.subject, payload, msgId });
  }) };
  const counter = { inc: () => undefined };
  const sut = new SendAttemptService(
    { collection: () => ({ findOne: async () => account }) } as unknown as Db,
    items as unknown as OutboxRepository,
    { underLease: async ({ work }: { work: (lease: AttemptLease) => Promise<void> }) => (await work(lease), true) } as unknown as OutboxAttemptLeases,
    { requestSend: async () => undefined } as unknown as OutboxService,
    { readBytes: async () => Buffer.from('Subject: Offer\r\n\r\nHello\r\n') } as unknown as BlobStore,
    { get: () => undefined, forget: () => undefined } as unknown as ComposedMailCache,
    { for: () => ({ sendMail }) } as unknown as SmtpTransports,
    events as unknown as EventPublisher,
    { attempts: counter, failures: counter, sentFolderAppends: counter, duration: { startTimer: () => () => undefined } } as unknown as SenderMetrics,
    { admit: async () => undefined } as unknown as SendRateLimits,
    { skipped: () => ({ status: 'skipped', folder: '', reason: 'the account has no IMAP mailbox' }) } as unknown as SentFolderAppender,
    { open } as unknown as SecretBox,
    settings,
  );
  return { sut, items, published, events, lease };
}

describe(SendAttemptService.name, () => {
  beforeEach(() => vi.spyOn(Math, 'random').mockReturnValue(0.5));
  afterEach(() => vi.restoreAllMocks());

  it('should record a long retry wait on the item and acknowledge the event instead of parking it in JetStream', async () => {
    const { sut, items, published } = setup();
    items.stored.set('item1', queuedItem());

    await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).resolves.toBeUndefined();

    const stored = items.stored.get('item1')!;
    expect(stored).toMatchObject({ status: 'retrying', attempts: 1, lastError: { smtpCode: 451 } });
    expect(stored.requestDueAt).toEqual(stored.nextAttemptAt);
    expect(stored.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(settings.pendingSweepIntervalMs);
    expect(published.map(({ subject, payload }) => [subject, payload.kind])).toEqual([[Events.sendFailed.subject, SendFailureKind.RETRYING]]);
  });

  it('should park a short retry wait in JetStream, with no due request on the item', async () => {
    const { sut, items } = setup();
    items.stored.set('item1', queuedItem());
    vi.spyOn(Math, 'random').mockReturnValue(0.001);

    await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).rejects.toBeInstanceOf(RetryLaterError);

    expect(items.stored.get('item1')).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(items.stored.get('item1')!.requestDueAt).toBeUndefined();
  });

  it('should acknowledge an event that comes long before the item is due, and leave the attempt to the due sweeper', async () => {
    const { sut, items } = setup();
    const nextAttemptAt = new Date(Date.now() + HOUR);
    items.stored.set('item1-r1', queuedItem({ _id: 'item1-r1', retryOf: 'item1', status: 'retrying', attempts: 1, nextAttemptAt }));

    await expect(sut.onSendRequested({ outboxId: 'item1-r1', accountId: account._id })).resolves.toBeUndefined();

    expect(items.stored.get('item1-r1')).toMatchObject({ status: 'retrying', attempts: 1, requestDueAt: nextAttemptAt });
  });

  it('should count a password the keyring cannot open as a failed attempt with its reason, and fail the mail at the horizon', async () => {
    const { sut, items, published } = setup({ open: () => { throw new SecretDecryptError('sealed with key k1, which is not in MAILBUS_SECRET_KEY (context account:acc1:send)'); } });
    items.stored.set('item1', queuedItem());

    await sut.onSendRequested({ outboxId: 'item1', accountId: account._id });
    expect(items.stored.get('item1')).toMatchObject({ status: 'retrying', attempts: 1, lastError: { class: 'unknown', text: expect.stringContaining('sealed with key k1, which is not in MAILBUS_SECRET_KEY') } });

    items.stored.set('item1', { ...items.stored.get('item1')!, nextAttemptAt: new Date(), firstAttemptAt: new Date(Date.now() - 25 * HOUR) });
    await sut.onSendRequested({ outboxId: 'item1', accountId: account._id });

    expect(items.stored.get('item1')).toMatchObject({ status: 'failed', attempts: 2, lastError: { class: 'unknown', text: expect.stringContaining('not in MAILBUS_SECRET_KEY') } });
    expect(published.filter(({ subject }) => subject === Events.sendFailed.subject).map(({ payload }) => payload.kind)).toEqual([SendFailureKind.RETRYING, SendFailureKind.PERMANENT]);
  });

  it('should publish send.failed on the next delivery when the publish after recording the permanent failure failed', async () => {
    let publishFails = true;
    const rejected = () => Promise.reject(Object.assign(new Error('Message failed: 554 5.6.0 Message content rejected'), { code: 'EMESSAGE', response: '554 5.6.0 Message content rejected', responseCode: 554, command: 'DATA' }));
    const { sut, items, published } = setup({ sendMail: rejected, publish: async () => (publishFails ? Promise.reject(new Error('publish failed')) : undefined) });
    items.stored.set('item1', queuedItem());

    await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).rejects.toThrow('publish failed');
    expect(items.stored.get('item1')).toMatchObject({ status: 'failed', attempts: 1 });
    publishFails = false;
    await sut.onSendRequested({ outboxId: 'item1', accountId: account._id });

    expect(published).toEqual([{ subject: Events.sendFailed.subject, msgId: 'send.failed:item1:1', payload: expect.objectContaining({ kind: SendFailureKind.PERMANENT, smtpCode: 554, smtpText: expect.stringContaining('Message content rejected'), attempt: 1 }) }]);
  });

  describe('when the attempt lease is lost', () => {
    it('should not send when the lease was taken before sendMail, write nothing, and hand the event back', async () => {
      const sendMail = vi.fn(accepted);
      const lease = new ScriptedLease();
      lease.held = false;
      const { sut, items, published } = setup({ sendMail, lease });
      items.stored.set('item1', queuedItem());

      await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).rejects.toBeInstanceOf(RetryLaterError);

      expect(sendMail).not.toHaveBeenCalled();
      expect(items.stored.get('item1')).toMatchObject({ status: 'queued', attempts: 0 });
      expect(published).toEqual([]);
    });

    it('should leave a failed send to the new holder: no retrying or failed written over its writes', async () => {
      const lease = new ScriptedLease();
      const { sut, items, published } = setup({
        lease,
        sendMail: async () => {
          lease.held = false;
          throw greylisted();
        },
      });
      items.stored.set('item1', queuedItem());

      await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).resolves.toBeUndefined();

      expect(items.stored.get('item1')).toMatchObject({ status: 'queued', attempts: 0 });
      expect(published).toEqual([]);
    });

    it('should record a mail the server accepted after taking the lease again, since it did go out', async () => {
      const lease = new ScriptedLease();
      const { sut, items, published } = setup({
        lease,
        sendMail: async () => {
          lease.held = false;
          return accepted();
        },
      });
      items.stored.set('item1', queuedItem());

      await sut.onSendRequested({ outboxId: 'item1', accountId: account._id });

      expect(lease.retake).toHaveBeenCalledTimes(1);
      expect(items.stored.get('item1')).toMatchObject({ status: 'sent', attempts: 1, acceptedRecipients: ['max@example.org'] });
      expect(published.map(({ subject }) => subject)).toEqual([Events.messageSent.subject]);
    });

    it('should not write over the new holder’s record when it recorded its own delivery first', async () => {
      const lease = new ScriptedLease();
      const { sut, items, published } = setup({
        lease,
        sendMail: async () => {
          lease.held = false;
          // The new holder sent it too, and recorded that before this handler got the lease back.
          items.stored.set('item1', queuedItem({ status: 'sent', attempts: 1, smtpResponse: '250 the other copy', sentFolder: { status: 'skipped', folder: '', reason: 'x' } }));
          return accepted();
        },
      });
      items.stored.set('item1', queuedItem());

      await sut.onSendRequested({ outboxId: 'item1', accountId: account._id });

      expect(items.stored.get('item1')).toMatchObject({ status: 'sent', smtpResponse: '250 the other copy' });
      expect(published).toEqual([]);
    });
  });

  it('should fail a mail whose connection broke after the whole message was written, without a retry', async () => {
    const dropped = Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' });
    const { sut, items, published } = setup({
      sendMail: async (options) => {
        // What the transport's stream plugin sees: the connection read the whole message, then the connection broke.
        const handOver = Object.values(options).find((value) => value instanceof MessageHandOver)!;
        await consume(handOver.observe(Readable.from([Buffer.from('Subject: x\r\n\r\nx\r\n')])));
        throw dropped;
      },
    });
    items.stored.set('item1', queuedItem());

    await expect(sut.onSendRequested({ outboxId: 'item1', accountId: account._id })).resolves.toBeUndefined();

    expect(items.stored.get('item1')).toMatchObject({ status: 'failed', attempts: 1, lastError: { kind: 'permanent', text: expect.stringMatching(/may have been delivered/) } });
    expect(published.map(({ payload }) => payload.kind)).toEqual([SendFailureKind.PERMANENT]);
  });
});
