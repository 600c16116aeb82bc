import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOutboxSchema, type CreateOutboxInput } from '@mailbus/contracts';
import { DirectoryCollections, addressClaimId } from '@mailbus/directory';
import { BlobStore } from '@mailbus/mongo-dal';
import type { EventPublisher } from '@mailbus/nats-transport';
import { RpcDomainError } from '@mailbus/service-runtime';
import { startStack, type Stack } from '@mailbus/testing';
import type { SendingSettings } from '../src/config/smtp-sender.config';
import { ComposedMailCache } from '../src/outbox/composed-mail.cache';
import type { OutboxAttemptLeases } from '../src/outbox/outbox-attempt-leases';
import { OutboxRepository } from '../src/outbox/outbox.repository';
import { OutboxService } from '../src/outbox/outbox.service';
import { SenderDirectoryReader } from '../src/outbox/sender-directory.reader';

/**
 * Accepting outbox requests against a real store: account-registry's users, accounts and address
 * claims as it writes them, the outbox and the blobs. JetStream is left out (publishing is stubbed).
 */
let stack: Stack;
let mongo: MongoClient;
let db: Db;
let items: OutboxRepository;
let outbox: OutboxService;

const SETTINGS = { pendingSweepIntervalMs: 60_000, stalledAfterMs: 600_000 } as SendingSettings;
const send = { host: '127.0.0.1', port: 2525, security: 'starttls', enabled: true };

async function user(id: string, fields: { addresses: string[]; defaultFrom?: string }): Promise<void> {
  await db.collection(DirectoryCollections.users).insertOne({ _id: id as never, displayName: id, ...fields, addressKeys: fields.addresses.map((address) => address.toLowerCase()), active: true, revision: 1, createdAt: new Date(), updatedAt: new Date() });
}

/** An account as account-registry stores it: the address claimed first, then the document. */
async function account(id: string, fields: { email: string; owners: string[]; senders?: string[]; createdAt: Date }): Promise<void> {
  const addressKey = fields.email.toLowerCase();
  await db.collection(DirectoryCollections.addressClaims).insertOne({ _id: addressClaimId({ namespace: 'account', addressKey }) as never, namespace: 'account', addressKey, owner: { kind: 'account', id }, claimedAt: new Date() });
  await db.collection(DirectoryCollections.accounts).insertOne({ _id: id as never, name: id, displayName: id, emailKey: addressKey, senders: [], serviceEnabled: true, send, revision: 1, ...fields });
}

const create = (input: CreateOutboxInput) => outbox.create(createOutboxSchema.parse(input));
const refusalOf = (creating: Promise<unknown>) =>
  creating.then(
    () => expect.fail('the request should have been refused'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(RpcDomainError);
      return (error as RpcDomainError).body;
    },
  );
const blobCount = () => db.collection('blobs.files').countDocuments({});

beforeAll(async () => {
  stack = await startStack();
  mongo = await MongoClient.connect(stack.mongoUrl);
  db = mongo.db(`sender_acceptance_${randomBytes(4).toString('hex')}`);
  items = new OutboxRepository(db);
  const events = { publish: vi.fn(async () => undefined) } as unknown as EventPublisher;
  const leases = { isHeld: async () => false } as unknown as OutboxAttemptLeases;
  outbox = new OutboxService(items, new SenderDirectoryReader(db), new BlobStore(db), events, new ComposedMailCache(), leases, SETTINGS);
  await user('anna', { addresses: ['anna@example.com'], defaultFrom: 'anna@example.com' });
  await user('carla', { addresses: ['carla@example.com'] });
  await user('dirk', { addresses: ['dirk@example.com'], defaultFrom: 'anna@example.com' });
  await account('acc-anna', { email: 'anna@example.com', owners: ['anna'], createdAt: new Date('2025-01-01T00:00:00Z') });
  await account('acc-sales', { email: 'sales@example.com', owners: ['carla', 'dirk'], createdAt: new Date('2025-01-02T00:00:00Z') });
});

afterEach(() => vi.restoreAllMocks());

afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

describe('accepting an outbox request', () => {
  it("should refuse a From that names another user's account with not_allowed instead of sending from the user's own account", async () => {
    const refusal = await refusalOf(create({ userId: 'carla', from: 'Anna@Example.com', to: ['max@example.org'], text: 'x' }));

    expect(refusal).toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/user carla is neither an owner nor an allowed sender of account acc-anna .*\(not_allowed\)/) });
    expect(await items.countByStatus('queued')).toBe(0);
  });

  it("should refuse a default From that names another user's account with not_allowed", async () => {
    const refusal = await refusalOf(create({ userId: 'dirk', to: ['max@example.org'], text: 'x' }));

    expect(refusal).toMatchObject({ code: 'unprocessable', message: expect.stringContaining('(not_allowed)') });
  });

  it("should still take the user's first own account when the From is no account's", async () => {
    const view = await create({ userId: 'carla', from: 'ceo@bigcorp.example', to: ['max@example.org'], text: 'x' });

    expect(view.accountId).toBe('acc-sales');
  });

  it('should keep the bodies out of the item: the composed mail holds them, and the item stays far below the 16 MB of a document', async () => {
    const text = 'Grüße '.repeat(100_000);
    const view = await create({ userId: 'anna', to: ['max@example.org'], text, html: `<p>${text}</p>` });

    const stored = await items.findById(view.id);
    expect(stored).not.toHaveProperty('text');
    expect(stored).not.toHaveProperty('html');
    const composed = await new BlobStore(db).readBytes(stored!.composedBlob!.id as never);
    expect(composed.length).toBeGreaterThan(Buffer.byteLength(text));
  });

  it('should delete the blobs it stored when the item cannot be stored', async () => {
    const before = await blobCount();
    vi.spyOn(items, 'insertIfAbsent').mockRejectedValue(new Error('BSONObjectTooLarge'));

    await expect(create({ userId: 'anna', to: ['max@example.org'], text: 'x', attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: randomBytes(3_000).toString('base64') }] })).rejects.toThrow('BSONObjectTooLarge');

    expect(await blobCount()).toBe(before);
  });

  it('should give inReplyTo its angle brackets when they were left out', async () => {
    const view = await create({ userId: 'anna', to: ['max@example.org'], text: 'x', inReplyTo: 'original.123@example.org' });

    expect(await items.findById(view.id)).toMatchObject({ inReplyTo: '<original.123@example.org>', references: ['<original.123@example.org>'] });
  });

  it.each(['no message id', '<a@b', 'x@y>\r\nBcc: z@example.org', 'only-local'])('should refuse inReplyTo %j with 400 validation_failed', async (inReplyTo) => {
    const refusal = await refusalOf(create({ userId: 'anna', to: ['max@example.org'], text: 'x', inReplyTo }));

    expect(refusal).toMatchObject({ code: 'validation_failed', fields: [{ path: 'inReplyTo', message: expect.stringContaining('Message-ID') }] });
  });
});
