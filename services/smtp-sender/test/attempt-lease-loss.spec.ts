import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Events } from '@mailbus/contracts';
import type { SecretBox } from '@mailbus/crypto';
import type { AccountDocument } from '@mailbus/directory';
import type { BlobStore } from '@mailbus/mongo-dal';
import { KvLeases, RetryLaterError, leaseKey, type EventPublisher, type LeaseBuckets } from '@mailbus/nats-transport';
import { createSelfSignedCert, expectEventually, startNats, startSmtpSink, type RunningNats, type RunningSmtpSink } from '@mailbus/testing';
import type { SendingSettings } from '../src/config/smtp-sender.config';
import type { ComposedMailCache } from '../src/outbox/composed-mail.cache';
import { OutboxAttemptLeases } from '../src/outbox/outbox-attempt-leases';
import type { OutboxItemDocument } from '../src/outbox/outbox-item.document';
import type { OutboxRepository } from '../src/outbox/outbox.repository';
import type { OutboxService } from '../src/outbox/outbox.service';
import type { SentFolderAppender } from '../src/sent-folder/sent-folder.appender';
import { SendAttemptService } from '../src/sending/send-attempt.service';
import type { SendRateLimits } from '../src/sending/send-rate-limits';
import type { SenderMetrics } from '../src/sending/sender.metrics';
import { SmtpTransports } from '../src/sending/smtp-transports';

/**
 * The attempt lease in a real NATS KV bucket, taken away from a running attempt the way a NATS outage
 * or a stall longer than the lease lets another replica take it: the attempt must not send, and a mail
 * the server accepted is recorded only once the lease is this attempt's again.
 */
const BUCKET = 'outbox-attempt-leases';
const settings: SendingSettings = { mailTimeoutMs: 10_000, hostConnectionCap: 3, retryBaseMs: 600_000, retryMaxDelayMs: 3_600_000, horizonMs: 86_400_000, archiveBcc: [], stalledAfterMs: 600_000, pendingSweepIntervalMs: 15_000 };

let dir: string;
let nats: RunningNats;
let nc: NatsConnection;
let kv: KV;
let kvLeases: KvLeases;
let sink: RunningSmtpSink;
const transports = new SmtpTransports();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-attempt-lease-loss-'));
  nats = await startNats({ dir, log: () => undefined });
  nc = await connect({ servers: nats.url });
  kv = await new Kvm(jetstream(nc)).create(BUCKET, { history: 1, ttl: 120_000 });
  kvLeases = new KvLeases(kv, 60_000);
  sink = await startSmtpSink({ dir, tls: await createSelfSignedCert({ dir, log: () => undefined }), log: () => undefined });
}, 120_000);

afterAll(async () => {
  transports.onApplicationShutdown();
  await sink?.stop();
  await nc?.close();
  await nats?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const account = (): AccountDocument =>
  ({ _id: 'acc1', email: 'sales@example.com', serviceEnabled: true, revision: 1, send: { enabled: true, host: sink.host, port: sink.port, security: 'none', passwordSealed: 'unused' } }) as unknown as AccountDocument;

const queuedItem = (id: string, to: string): OutboxItemDocument => ({
  _id: id,
  accountId: 'acc1',
  selectedBy: 'system',
  from: { address: 'sales@example.com', name: 'Sales' },
  to: [to],
  cc: [],
  bcc: [],
  subject: id,
  text: 'Hello',
  attachments: [],
  messageIdHeader: `<${id}@example.com>`,
  date: new Date(),
  composedBlob: { id: `sent-${id}`, size: 10, sha256: 'x' },
  status: 'queued',
  attempts: 0,
  pendingPublish: false,
  createdAt: new Date(),
  updatedAt: new Date(),
});

/** Another replica's handler: it can take an item's lease only once this one's is gone (expired, here deleted). */
async function takeLeaseAway(id: string): Promise<() => Promise<void>> {
  await kv.delete(leaseKey(id));
  const rival = await kvLeases.tryAcquire({ id, holder: 'rival-replica', leaseMs: 45_000 });
  if (!rival) throw new Error('the rival could not take the lease');
  return () => rival.release();
}

async function attemptService({ beforeSending }: { beforeSending?: (id: string) => Promise<void> } = {}) {
  const stored = new Map<string, OutboxItemDocument>();
  const items = {
    stored,
    findById: async (id: string) => stored.get(id) ?? null,
    recordAttempt: vi.fn(async ({ id, set }: { id: string; set: Partial<OutboxItemDocument> }) => void stored.set(id, { ...stored.get(id)!, ...set, pendingPublish: false, updatedAt: new Date() })),
    insertIfAbsent: async (item: OutboxItemDocument) => !stored.has(item._id) && Boolean(stored.set(item._id, item)),
  };
  const published: string[] = [];
  const leases = new OutboxAttemptLeases({ open: async () => kvLeases } as unknown as LeaseBuckets);
  await leases.onModuleInit();
  const counter = { inc: () => undefined };
  const sut = new SendAttemptService(
    { collection: () => ({ findOne: async () => account() }) } as unknown as Db,
    items as unknown as OutboxRepository,
    leases,
    { requestSend: async () => undefined } as unknown as OutboxService,
    // The composed bytes of item `x` are stored as `sent-x`.
    { readBytes: async (blob: string) => Buffer.from(`Message-ID: <${blob.replace(/^sent-/, '')}@example.com>\r\nSubject: ${blob}\r\n\r\nHello\r\n`) } as unknown as BlobStore,
    { get: () => undefined, forget: () => undefined } as unknown as ComposedMailCache,
    transports,
    { publish: async (def: { subject: string }) => void published.push(def.subject) } as unknown as EventPublisher,
    { attempts: counter, failures: counter, sentFolderAppends: counter, duration: { startTimer: () => () => undefined } } as unknown as SenderMetrics,
    // Waiting for the rate limit is the last step under the lease before the mail is sent.
    { admit: async ({ what }: { what: string }) => beforeSending?.(what.replace('outbox ', '')) } as unknown as SendRateLimits,
    { skipped: () => ({ status: 'skipped', folder: '', reason: 'no IMAP side' }) } as unknown as SentFolderAppender,
    { open: () => '' } as unknown as SecretBox,
    settings,
  );
  return { sut, items, published };
}

const atSink = async (id: string) => (await sink.messages()).filter(({ raw }) => raw.toString().includes(`Message-ID: <${id}@example.com>`));

describe('an attempt whose lease is taken away', () => {
  it('should send nothing and write nothing when the lease is gone before sending, and leave the new holder its lease', async () => {
    let releaseRival: (() => Promise<void>) | undefined;
    const { sut, items, published } = await attemptService({ beforeSending: async (id) => void (releaseRival = await takeLeaseAway(id)) });
    items.stored.set('lost-before-send', queuedItem('lost-before-send', 'max@example.org'));

    await expect(sut.onSendRequested({ outboxId: 'lost-before-send', accountId: 'acc1' })).rejects.toBeInstanceOf(RetryLaterError);

    expect(await atSink('lost-before-send')).toHaveLength(0);
    expect(items.recordAttempt).not.toHaveBeenCalled();
    expect(items.stored.get('lost-before-send')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(published).toEqual([]);
    expect(await kvLeases.heldBy('lost-before-send')).toBe('rival-replica');
    await releaseRival?.();
  });

  it('should record a mail the server accepted after the lease was lost only once it holds the lease again', async () => {
    const { sut, items, published } = await attemptService();
    items.stored.set('lost-in-data', queuedItem('lost-in-data', 'lost-in-data@example.org'));
    const hold = sink.holdData('lost-in-data@');
    let writesWhileRivalHeld = -1;
    void hold.arrived.then(async () => {
      // While the server decides, another replica takes the lease, records its own (failed) attempt and lets go.
      const releaseRival = await takeLeaseAway('lost-in-data');
      items.stored.set('lost-in-data', { ...items.stored.get('lost-in-data')!, status: 'retrying', attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000) });
      writesWhileRivalHeld = items.recordAttempt.mock.calls.length;
      await releaseRival();
      hold.release();
    });

    await sut.onSendRequested({ outboxId: 'lost-in-data', accountId: 'acc1' });

    expect(writesWhileRivalHeld).toBe(0);
    expect(items.stored.get('lost-in-data')).toMatchObject({ status: 'sent', attempts: 1, acceptedRecipients: ['lost-in-data@example.org'] });
    expect(published).toEqual([Events.messageSent.subject]);
    expect(await kvLeases.heldBy('lost-in-data')).toBeUndefined();
    // The sink saves a mail just after it answered it.
    await expectEventually(async () => expect(await atSink('lost-in-data')).toHaveLength(1));
  });
});
