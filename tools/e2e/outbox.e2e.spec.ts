import { fromBinary } from '@bufbuild/protobuf';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { simpleParser } from 'mailparser';
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, MAX_OUTBOX_REQUEST_BYTES, MessageSentSchema, SendFailedSchema, SendFailureKind, SendRequestedSchema, SentFolderAppendStatus, type AccountView, type MessagePageView, type OutboxItemView, type UserView } from '@mailbus/contracts';
import { leaseKey } from '@mailbus/nats-transport';
import { DEFAULT_MAIL_PASSWORD, expectEventually } from '@mailbus/testing';
import { startCountingProxy } from './counting-proxy';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * The outbox: POST /v1/outbox picks the sender account by FlowFact's rules (or refuses with the
 * reason), stores the item and publishes send.requested; smtp-sender sends it through the SMTP sink,
 * retries and fails as the server answers, files the bytes in Dovecot's Sent folder, and
 * message-router makes them a delivery in the user's `sent` folder.
 */
/** Connections to one mail host, for the fetcher and for Sent-folder copies alike; no IDLE, so that the test owns every free slot. */
const HOST_CAP = 20;

let system: System;
let mongo: MongoClient;
let anna: UserView;
let ben: UserView;
let annaAccount: AccountView;
let salesAccount: AccountView;
let carla: UserView;
let dora: UserView;

beforeAll(async () => {
  system = await startSystem({
    services: ['api', 'account-registry', 'smtp-sender', 'message-router', 'fetcher'],
    stack: { mail: true },
    env: { SEND_RETRY_BASE_MS: '200', SEND_RETRY_MAX_DELAY_MS: '400', SEND_ARCHIVE_BCC: 'archive@example.com', SEND_STALLED_AFTER_MS: '1500', SEND_PENDING_SWEEP_INTERVAL_MS: '500', SCHEDULER_TICK_MS: '200', FETCH_HOST_CONNECTION_CAP: String(HOST_CAP), HOST_CONNECTION_CAP: String(HOST_CAP), FETCH_IDLE_CONNECTIONS: '0' },
  });
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
  const user = async (body: Record<string, unknown>): Promise<UserView> => {
    const response = await system.api<UserView>('POST', '/v1/users', { body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  anna = await user({ displayName: 'Anna Berger', addresses: ['anna@example.com', 'a.berger@example.com'], defaultFrom: 'anna@example.com' });
  ben = await user({ displayName: 'Ben', addresses: ['ben@example.com'] });
  carla = await user({ displayName: 'Carla', addresses: ['carla@example.com'] });
  dora = await user({ displayName: 'Dora', addresses: ['dora@example.com'] });
  const account = async (body: Record<string, unknown>): Promise<AccountView> => {
    const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'user1', password: 'password' }, ...body } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  annaAccount = await account({ name: 'Anna', email: 'anna@example.com', displayName: 'Anna Berger | Immobilien', owners: [anna.id], replyTo: 'office@example.com', signature: { text: 'Anna Berger\nMusterimmobilien GmbH', html: '<p>Anna Berger<br>Musterimmobilien GmbH</p>' }, archiveBcc: 'anna-archive@example.com' });
  salesAccount = await account({ name: 'Sales', email: 'sales@example.com', displayName: 'Sales Team', owners: [carla.id], senders: [anna.id] });
  await account({ name: 'Old', email: 'anna.old@example.com', owners: [anna.id], serviceEnabled: false });
  await account({ name: 'Receive only', email: 'dora@example.com', owners: [dora.id], send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', enabled: false } });
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

/** Waits until the item has this status, and answers it. */
const settled = (id: string, status: string) =>
  expectEventually(
    async () => {
      const item = (await system.api<OutboxItemView>('GET', `/v1/outbox/${id}`, { token: system.tokens.app })).body;
      expect(item.status).toBe(status);
      return item;
    },
    { timeoutMs: 30_000 },
  );

const send = (body: Record<string, unknown>) => system.api<OutboxItemView & { error?: { code: string; message: string } }>('POST', '/v1/outbox', { body, token: system.tokens.app });

describe('POST /v1/outbox', () => {
  it("should take the user's default From account when the request names no From, store the item and publish send.requested", async () => {
    const pdf = Buffer.from('%PDF-1.4 exposé');
    const response = await send({ userId: anna.id, to: ['max@example.org'], subject: 'Ihr Exposé', text: 'Guten Tag', attachments: [{ filename: 'Exposé.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] });

    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toMatchObject({ status: 'queued', userId: anna.id, accountId: annaAccount.id, attempts: 0, messageIdHeader: expect.stringMatching(/^<[0-9a-f]{24}\.[0-9a-z]+@example\.com>$/) });
    const stored = await system.api<OutboxItemView>('GET', `/v1/outbox/${response.body.id}`, { token: system.tokens.app });
    // It may be sent by now; what was fixed at acceptance stays.
    expect(stored.body).toMatchObject({ id: response.body.id, accountId: annaAccount.id, messageIdHeader: response.body.messageIdHeader, createdAt: response.body.createdAt });
    const document = await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: response.body.id as never });
    expect(document).toMatchObject({ selectedBy: 'default-from', from: { address: 'anna@example.com', name: 'Anna Berger | Immobilien' }, replyTo: { address: 'office@example.com' }, attachments: [{ filename: 'Exposé.pdf', contentType: 'application/pdf', size: pdf.length }] });
    const blob = await mongo.db(system.env.MONGODB_DB).collection('blobs.files').findOne({ _id: document!.attachments[0].blobId });
    expect(blob).toMatchObject({ length: pdf.length });
    const events = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendRequested.subject })).map((event) => fromBinary(SendRequestedSchema, event.data));
    expect(events.filter((event) => event.outboxId === response.body.id)).toEqual([expect.objectContaining({ userId: anna.id, accountId: annaAccount.id })]);
  });

  it('should take the account whose address is the From when the user may send with it, with that account’s name', async () => {
    const response = await send({ userId: anna.id, from: 'Sales@Example.com', to: ['max@example.org'], text: 'x' });

    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body.accountId).toBe(salesAccount.id);
    expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: response.body.id as never })).toMatchObject({ selectedBy: 'from-address', from: { address: 'sales@example.com', name: 'Sales Team' } });
  });

  it('should queue system mail with the account it names', async () => {
    const response = await send({ accountId: salesAccount.id, to: ['orders@example.org'], subject: 'Bestellung', text: 'x' });

    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toMatchObject({ accountId: salesAccount.id, status: 'queued' });
    expect(response.body.userId).toBeUndefined();
  });

  it("should take the user's first own account when the From is no account's, keeping the user's own address as From", async () => {
    const own = await send({ userId: anna.id, from: 'a.berger@example.com', to: ['max@example.org'], text: 'x' });
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect(own.body.accountId).toBe(annaAccount.id);
    expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: own.body.id as never })).toMatchObject({ selectedBy: 'first-owned', from: { address: 'a.berger@example.com', name: 'Anna Berger' } });

    const foreign = await send({ userId: carla.id, from: 'ceo@bigcorp.example', to: ['max@example.org'], text: 'x' });
    expect(foreign.body.accountId).toBe(salesAccount.id);
    expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: foreign.body.id as never })).toMatchObject({ selectedBy: 'first-owned', from: { address: 'sales@example.com', name: 'Sales Team' } });
  });

  it.each([
    ['an unknown user', () => ({ userId: 'NoSuchUser000000000000', to: ['x@example.org'], text: 'x' }), 'unknown_user'],
    ['an account whose sending is switched off', () => ({ userId: dora.id, to: ['x@example.org'], text: 'x' }), 'sending_disabled'],
    ['a user without any account', () => ({ userId: ben.id, to: ['x@example.org'], text: 'x' }), 'no_account'],
    ['an account with the service switched off', () => ({ userId: anna.id, from: 'anna.old@example.com', to: ['x@example.org'], text: 'x' }), 'account_disabled'],
    ['an account the user may not send with', () => ({ userId: ben.id, accountId: salesAccount.id, to: ['x@example.org'], text: 'x' }), 'not_allowed'],
  ])('should refuse %s with 422 and the reason', async (_case, body, code) => {
    const response = await send(body());

    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'unprocessable', message: expect.stringContaining(`(${code})`) });
  });

  it.each([
    [{ to: ['x@example.org'], text: 'x' }, 'accountId'],
    [{ userId: 'u1', to: [], text: 'x' }, 'to'],
    [{ userId: 'u1', to: ['x@example.org'] }, 'text'],
    [{ userId: 'u1', to: ['no address'], text: 'x' }, 'to.0'],
  ])('should answer 400 with the field for %j', async (body, path) => {
    const response = await system.api<{ error: { fields: Array<{ path: string }> } }>('POST', '/v1/outbox', { body, token: system.tokens.app });

    expect(response.status).toBe(400);
    expect(response.body.error.fields.map((field) => field.path)).toContain(path);
  });

  it('should answer a repeated request with the same Idempotency-Key with the first item, and send it once', async () => {
    const request = { userId: anna.id, to: ['once@example.org'], subject: 'Once', text: 'x' };
    const first = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: request, token: system.tokens.app, headers: { 'idempotency-key': 'order-4711-confirmation' } });
    const again = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: request, token: system.tokens.app, headers: { 'idempotency-key': 'order-4711-confirmation' } });
    const other = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: { ...request, userId: carla.id }, token: system.tokens.app, headers: { 'idempotency-key': 'order-4711-confirmation' } });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: first.body.id, messageIdHeader: first.body.messageIdHeader });
    expect(other.body.id).not.toBe(first.body.id);
    await expectEventually(async () => expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${first.body.id}`, { token: system.tokens.app })).body.status).toBe('sent'), { timeoutMs: 30_000 });
    expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').countDocuments({ to: 'once@example.org', userId: anna.id })).toBe(1);
  });

  it('should answer 413 with the limit for a body over it, and 400 for a body that is not JSON, without a server error', async () => {
    const tooLarge = await send({ userId: anna.id, to: ['x@example.org'], text: 'x'.repeat(MAX_OUTBOX_REQUEST_BYTES) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toEqual({ code: 'payload_too_large', message: expect.stringContaining(`at most ${MAX_OUTBOX_REQUEST_BYTES} bytes`) });
    // Other routes take far less than the outbox.
    const user = await system.api<{ error: { code: string } }>('POST', '/v1/users', { body: { displayName: 'x'.repeat(2 * 1024 * 1024), addresses: ['big@example.com'] } });
    expect([user.status, user.body.error.code]).toEqual([413, 'payload_too_large']);

    const notJson = await fetch(`${system.apiUrl}/v1/outbox`, { method: 'POST', headers: { authorization: `Bearer ${system.tokens.app}`, 'content-type': 'application/json' }, body: '{"userId": ' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('JSON') });
  });

  it('should answer 404 for an unknown item and 401 without a token', async () => {
    expect((await system.api('GET', '/v1/outbox/NoSuchItem0000000000000', { token: system.tokens.app })).status).toBe(404);
    expect((await system.api('POST', '/v1/outbox', { body: {}, token: null })).status).toBe(401);
  });
});

describe('sending', () => {
  const received = async (messageIdHeader: string) => (await system.stack.smtp!.messages()).filter((mail) => mail.raw.toString().includes(`Message-ID: ${messageIdHeader}`));

  it('should send the mail with the account signature, the attachment byte for byte, and the archive Bcc in the envelope only', async () => {
    const pdf = Buffer.from(Array.from({ length: 3000 }, (_, n) => n % 256));
    const queued = (await send({ userId: anna.id, to: ['max@example.org'], bcc: ['secret-bcc@example.org'], subject: 'Exposé', text: 'Guten Tag\n\n-- \nmy own signature', attachments: [{ filename: 'Exposé.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] })).body;

    const sent = await settled(queued.id, 'sent');

    expect(sent).toMatchObject({ attempts: 1, acceptedRecipients: expect.arrayContaining(['max@example.org', 'secret-bcc@example.org', 'archive@example.com', 'anna-archive@example.com']) });
    const [mail] = await received(queued.messageIdHeader);
    expect(mail!.rcptTo.sort()).toEqual(['anna-archive@example.com', 'archive@example.com', 'max@example.org', 'secret-bcc@example.org']);
    expect(mail!.mailFrom).toBe('anna@example.com');
    const raw = mail!.raw.toString();
    expect(raw).not.toMatch(/archive@example\.com|secret-bcc|^Bcc:/im);
    expect(raw).toMatch(/^From: "Anna Berger \| Immobilien" <anna@example\.com>/m);
    expect(raw).toMatch(/^Reply-To: .*office@example\.com/m);
    expect(raw).toContain('Musterimmobilien GmbH');
    expect(raw).not.toContain('my own signature');
    expect(raw.replace(/\r?\n/g, '')).toContain(pdf.toString('base64'));
    const events = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageSent.subject })).map((event) => fromBinary(MessageSentSchema, event.data));
    expect(events.filter((event) => event.outboxId === queued.id)).toEqual([expect.objectContaining({ accountId: annaAccount.id, messageIdHeader: queued.messageIdHeader, attempt: 1 })]);
    // The attempt recorded the publish that started it: the sweeper leaves the item alone.
    expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: queued.id as never })).toMatchObject({ pendingPublish: false });
  });

  it('should send attachments of many MiB byte for byte (a request too large for one NATS message goes through the blob store), once for a repeat with the same key, and leave no request behind', async () => {
    const plan = randomBytes(12 * 1024 * 1024);
    const note = Buffer.from('%PDF-1.4 Grundriss');
    const request = {
      userId: anna.id,
      to: ['bauherr@example.org'],
      subject: 'Pläne',
      text: 'Anbei die Pläne',
      attachments: [
        { filename: 'Plan.tif', contentType: 'image/tiff', contentBase64: plan.toString('base64') },
        { filename: 'Notiz.pdf', contentType: 'application/pdf', contentBase64: note.toString('base64') },
      ],
    };
    const post = () => system.api<OutboxItemView>('POST', '/v1/outbox', { body: request, token: system.tokens.app, headers: { 'idempotency-key': 'plans-for-bauherr' } });
    const first = await post();
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await post();
    expect([again.status, again.body.id]).toEqual([202, first.body.id]);

    await settled(first.body.id, 'sent');
    const mails = await received(first.body.messageIdHeader);
    expect(mails).toHaveLength(1);
    const parsed = await simpleParser(mails[0]!.raw);
    expect(parsed.attachments.map(({ filename, contentType, content }) => ({ filename, contentType, size: content.length, same: content.equals(filename === 'Plan.tif' ? plan : note) }))).toEqual([
      { filename: 'Plan.tif', contentType: 'image/tiff', size: plan.length, same: true },
      { filename: 'Notiz.pdf', contentType: 'application/pdf', size: note.length, same: true },
    ]);
    expect(await mongo.db(system.env.MONGODB_DB).collection('blobs.files').countDocuments({ _id: { $regex: '^outbox-request-' } as never })).toBe(0);

    // The user's sent delivery serves the same bytes, raw and the attachment alone (streamed from the blob store, chunk after chunk).
    const inSent = await expectEventually(async () => {
      const page = (await system.api<MessagePageView>('GET', `/v1/users/${anna.id}/messages?folder=sent`, { token: system.tokens.app })).body.messages;
      const found = page.find(({ subject }) => subject === 'Pläne');
      expect(found).toBeDefined();
      return found!;
    });
    const download = async (path: string): Promise<Buffer> => Buffer.from(await (await fetch(`${system.apiUrl}/v1/messages/${inSent.id}${path}`, { headers: { authorization: `Bearer ${system.tokens.app}` } })).arrayBuffer());
    expect((await download('/raw')).equals(mails[0]!.raw)).toBe(true);
    expect((await download('/attachments/0')).equals(plan)).toBe(true);
  });

  it('should retry a 4xx with backoff, keep the Message-ID, and end sent once the server accepts', async () => {
    const rule = { match: 'greylisted', stage: 'data' as const, code: 451, message: '4.7.1 Greylisted, try again' };
    system.stack.smtp!.failureRules.push(rule);
    const queued = (await send({ userId: anna.id, to: ['greylisted@example.org'], subject: 'retry', text: 'x' })).body;

    const retrying = await settled(queued.id, 'retrying');
    expect(retrying.lastError).toMatchObject({ smtpCode: 451, class: expect.any(String), text: expect.stringContaining('Greylisted') });
    expect(retrying.nextAttemptAt).toBeDefined();
    system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);
    const sent = await settled(queued.id, 'sent');

    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.messageIdHeader).toBe(queued.messageIdHeader);
    expect(await received(queued.messageIdHeader)).toHaveLength(1);
    const failures = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendFailed.subject })).map((event) => fromBinary(SendFailedSchema, event.data)).filter((event) => event.outboxId === queued.id);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((event) => event.kind === SendFailureKind.RETRYING && event.smtpCode === 451)).toBe(true);
  });

  it('should show `sending` while a handler holds the item, and its own status again once a dead holder’s lease runs out', async () => {
    const rule = { match: 'held-back', stage: 'data' as const, code: 451, message: '4.7.1 Try again later' };
    system.stack.smtp!.failureRules.push(rule);
    const queued = (await send({ userId: anna.id, to: ['held-back@example.org'], subject: 'held', text: 'x' })).body;
    await settled(queued.id, 'retrying');
    // What a replica killed mid-attempt leaves: its lease, until it expires. Taken between two attempts.
    const nats = await connect({ servers: system.stack.natsUrl });
    try {
      const leases = await new Kvm(nats).open('outbox-attempt-leases');
      await expectEventually(() => leases.create(queued.id, JSON.stringify({ holder: 'killed-replica', expiresAt: Date.now() + 3_000 })));
    } finally {
      await nats.close();
    }

    const held = (await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body;
    expect(held).toMatchObject({ status: 'sending' });
    expect(held.nextAttemptAt).toBeUndefined();
    const after = await expectEventually(
      async () => {
        const item = (await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body;
        expect(item.status).toBe('retrying');
        expect(item.attempts).toBeGreaterThan(held.attempts);
        return item;
      },
      { timeoutMs: 30_000 },
    );
    expect(after.lastError).toMatchObject({ smtpCode: 451 });
    system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);
    expect(await settled(queued.id, 'sent')).toMatchObject({ messageIdHeader: queued.messageIdHeader });
  });

  it("should fail a 5xx at once with the server's text and publish send.failed permanent", async () => {
    const queued = (await send({ userId: anna.id, to: ['someone@example.org', 'x-reject-data-5xx@example.org'], subject: 'rejected', text: 'x' })).body;

    const failed = await settled(queued.id, 'failed');

    expect(failed).toMatchObject({ attempts: 1, lastError: { smtpCode: 554, text: expect.stringContaining('5.6.0 Message content rejected') } });
    const failures = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendFailed.subject })).map((event) => fromBinary(SendFailedSchema, event.data)).filter((event) => event.outboxId === queued.id);
    expect(failures).toEqual([expect.objectContaining({ kind: SendFailureKind.PERMANENT, smtpCode: 554 })]);
  });

  it('should send again, later, to the recipients the server deferred one by one, with the same message', async () => {
    const rule = { match: 'greylisted-rcpt', stage: 'rcpt' as const, code: 451, message: '4.7.1 Greylisted, try again later' };
    system.stack.smtp!.failureRules.push(rule);
    const queued = (await send({ userId: anna.id, to: ['first@example.org', 'greylisted-rcpt@example.org'], subject: 'deferred', text: 'x' })).body;

    const sent = await settled(queued.id, 'sent');
    expect(sent.rejectedRecipients).toEqual([{ address: 'greylisted-rcpt@example.org', code: 451, text: expect.stringContaining('Greylisted') }]);
    expect(sent.deferredTo).toBeDefined();
    const followUp = (await system.api<OutboxItemView>('GET', `/v1/outbox/${sent.deferredTo}`, { token: system.tokens.app })).body;
    expect(followUp).toMatchObject({ retryOf: queued.id, envelopeTo: ['greylisted-rcpt@example.org'], messageIdHeader: queued.messageIdHeader });
    system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);

    const retried = await settled(sent.deferredTo!, 'sent');
    expect(retried.acceptedRecipients).toEqual(['greylisted-rcpt@example.org']);
    const copies = await received(queued.messageIdHeader);
    expect(copies.map((mail) => mail.rcptTo.filter((address) => !address.includes('archive')))).toEqual([['first@example.org'], ['greylisted-rcpt@example.org']]);
    expect(copies[0]!.raw.equals(copies[1]!.raw)).toBe(true);
  });

  it('should send the mail composed on acceptance, with the signature of that moment, even when the account changed before the attempt that succeeds', async () => {
    const rule = { match: 'composed-once', stage: 'data' as const, code: 451, message: '4.7.1 Try again later' };
    system.stack.smtp!.failureRules.push(rule);
    const queued = (await send({ userId: anna.id, to: ['composed-once@example.org'], subject: 'Composed once', text: 'Hallo' })).body;
    await settled(queued.id, 'retrying');
    expect((await system.api('PATCH', `/v1/accounts/${annaAccount.id}`, { body: { signature: { text: 'A new signature', html: null } } })).status).toBe(200);

    system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);
    await settled(queued.id, 'sent');

    const [mail] = await received(queued.messageIdHeader);
    expect(mail!.raw.toString()).toContain('Musterimmobilien GmbH');
    expect(mail!.raw.toString()).not.toContain('A new signature');
    const stored = await mongo.db(system.env.MONGODB_DB).collection<{ composedBlob?: { id: string }; sentBlob?: { id: string } }>('outbox').findOne({ _id: queued.id as never });
    expect(stored!.sentBlob).toEqual(stored!.composedBlob);
    expect((await system.api('PATCH', `/v1/accounts/${annaAccount.id}`, { body: { signature: { text: 'Anna Berger\nMusterimmobilien GmbH', html: '<p>Anna Berger<br>Musterimmobilien GmbH</p>' } } })).status).toBe(200);
  });

  it('should compose at the attempt an item accepted before mailbus composed on acceptance, and keep what it sent', async () => {
    const id = `legacy-${Date.now()}`;
    const messageIdHeader = `<${id}@example.com>`;
    const longAgo = new Date(Date.now() - 60_000);
    // As an earlier version stored it; the stalled-item sweeper requests it (its send.requested is long gone).
    await mongo.db(system.env.MONGODB_DB).collection('outbox').insertOne({ _id: id as never, userId: anna.id, accountId: annaAccount.id, selectedBy: 'default-from', from: { address: 'anna@example.com', name: 'Anna Berger | Immobilien' }, to: ['legacy@example.org'], cc: [], bcc: [], subject: 'Legacy', text: 'Hallo', attachments: [], messageIdHeader, date: longAgo, status: 'queued', attempts: 0, pendingPublish: false, createdAt: longAgo, updatedAt: longAgo });

    const sent = await settled(id, 'sent');

    expect(sent.messageIdHeader).toBe(messageIdHeader);
    const [mail] = await received(messageIdHeader);
    expect(mail!.raw.toString()).toContain('Musterimmobilien GmbH');
    const stored = await mongo.db(system.env.MONGODB_DB).collection<{ sentBlob?: { id: string }; composedBlob?: unknown }>('outbox').findOne({ _id: id as never });
    expect(stored!.composedBlob).toBeUndefined();
    expect(stored!.sentBlob).toMatchObject({ id: `sent-${id}` });
  });

  it('should publish the send.requested a crash kept from JetStream, send the item once, and record the publish', async () => {
    const id = `unpublished-${Date.now()}`;
    const messageIdHeader = `<${id}@example.com>`;
    const earlier = new Date(Date.now() - 60_000);
    // What a SIGKILL between storing the item and publishing its event leaves.
    await mongo.db(system.env.MONGODB_DB).collection('outbox').insertOne({ _id: id as never, userId: anna.id, accountId: annaAccount.id, selectedBy: 'default-from', from: { address: 'anna@example.com', name: 'Anna Berger | Immobilien' }, to: ['unpublished@example.org'], cc: [], bcc: [], subject: 'Unpublished', text: 'Hallo', attachments: [], messageIdHeader, date: earlier, status: 'queued', attempts: 0, pendingPublish: true, createdAt: earlier, updatedAt: earlier });

    expect((await settled(id, 'sent')).attempts).toBe(1);

    expect(await received(messageIdHeader)).toHaveLength(1);
    const requested = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendRequested.subject })).map((event) => fromBinary(SendRequestedSchema, event.data));
    // One, or two: with this suite's 1.5 s stalled clock the old item may also count as stalled once its publish is recorded.
    expect(requested.filter((event) => event.outboxId === id).length).toBeGreaterThanOrEqual(1);
    await expectEventually(async () => expect(await mongo.db(system.env.MONGODB_DB).collection('outbox').findOne({ _id: id as never })).toMatchObject({ pendingPublish: false, status: 'sent' }));
  });

  it('should send to the accepted recipients and report the ones rejected one by one', async () => {
    const queued = (await send({ userId: anna.id, to: ['good@example.org', 'nobody-reject-5xx@example.org'], subject: 'mixed', text: 'x' })).body;

    const sent = await settled(queued.id, 'sent');

    expect(sent.acceptedRecipients).toContain('good@example.org');
    expect(sent.rejectedRecipients).toEqual([{ address: 'nobody-reject-5xx@example.org', code: 550, text: expect.stringContaining('5.1.1 No such user') }]);
    expect((await received(queued.messageIdHeader))[0]!.rcptTo).not.toContain('nobody-reject-5xx@example.org');
  });
});

describe('the Sent folder and the sent delivery', () => {
  let erik: UserView;
  let sentAccount: AccountView;
  const username = 'sentbox';
  const onServer = async (mailbox: string, messageIdHeader: string): Promise<string[]> =>
    (await system.stack.dovecot!.doveadm(['fetch', '-u', username, 'uid flags', 'mailbox', mailbox, 'header', 'Message-ID', messageIdHeader])).split('\n').filter((line) => line.startsWith('uid:'));
  const sentFolder = async (userId: string) => (await system.api<MessagePageView>('GET', `/v1/users/${userId}/messages?folder=sent`, { token: system.tokens.app })).body.messages;
  const theSentEvent = (outboxId: string) =>
    expectEventually(async () => {
      const events = await sentEvent(outboxId);
      expect(events).toHaveLength(1);
      return events[0]!;
    });
  const sentEvent = async (outboxId: string) => (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageSent.subject })).map((event) => fromBinary(MessageSentSchema, event.data)).filter((event) => event.outboxId === outboxId);

  beforeAll(async () => {
    erik = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Erik', addresses: ['erik@example.com'] } })).body;
    await system.stack.dovecot!.addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    sentAccount = (
      await system.api<AccountView>('POST', '/v1/accounts', {
        body: {
          name: 'Erik',
          email: 'sentbox@example.com',
          owners: [erik.id],
          receive: { protocol: 'imap', host: '127.0.0.1', port: system.stack.dovecot!.imapsPort, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, folders: ['INBOX', 'Sent'], intervalSeconds: 3600 },
          send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'user1', password: 'password', appendToSent: 'always' },
        },
      })
    ).body;
  });

  it("should append the exact bytes sent to Dovecot's Sent folder as seen, link them by APPENDUID, and show them in the user's sent folder", async () => {
    const queued = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Angebot', text: 'Guten Tag' })).body;
    await settled(queued.id, 'sent');

    const event = await theSentEvent(queued.id);
    expect(event.sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED, folder: 'Sent' });
    expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body.sentFolder).toEqual({ status: 'appended', folder: 'Sent', uidValidity: event.sentFolder!.uidValidity, uid: event.sentFolder!.uid });
    const copies = await onServer('Sent', queued.messageIdHeader);
    expect(copies).toEqual([expect.stringMatching(new RegExp(`^uid: ${event.sentFolder!.uid}\\b`))]);
    expect((await system.stack.dovecot!.doveadm(['fetch', '-u', username, 'flags', 'mailbox', 'Sent', 'uid', String(event.sentFolder!.uid)]))).toContain('\\Seen');

    const [inSent] = await expectEventually(async () => {
      const messages = (await sentFolder(erik.id)).filter(({ subject }) => subject === 'Angebot');
      expect(messages).toHaveLength(1);
      return messages;
    });
    expect(inSent).toMatchObject({ rule: 'sender-address', accountId: sentAccount.id });
    const raw = await fetch(`${system.apiUrl}/v1/messages/${inSent!.id}/raw`, { headers: { authorization: `Bearer ${system.tokens.app}` } });
    const [atSink] = (await system.stack.smtp!.messages()).filter((mail) => mail.raw.toString().includes(queued.messageIdHeader));
    expect(Buffer.from(await raw.arrayBuffer()).equals(atSink!.raw)).toBe(true);

    // The fetcher syncs Sent and fetches the appended copy: still one message, one delivery.
    expect((await system.api('POST', `/v1/accounts/${sentAccount.id}/sync`)).status).toBe(202);
    await expectEventually(async () => expect(await mongo.db(system.env.MONGODB_DB).collection('fetched_messages').countDocuments({ accountId: sentAccount.id, folder: 'Sent' })).toBe(1));
    await expectEventually(async () => expect(await mongo.db(system.env.MONGODB_DB).collection('messages').countDocuments({ accountId: sentAccount.id, messageIdHeader: queued.messageIdHeader })).toBe(1));
    expect((await sentFolder(erik.id)).filter(({ subject }) => subject === 'Angebot')).toHaveLength(1);
  });

  it('should file the copy only in a free connection slot of the IMAP host, and publish message.sent once it is filed', async () => {
    const retries = async (): Promise<number> =>
      Number(/^mailbus_events_handled_total\{[^}]*event="send\.requested"[^}]*outcome="retry"[^}]*\} ([0-9.e+]+)$/m.exec(await (await fetch(`http://127.0.0.1:${system.port('smtp-sender')}/metrics`)).text())?.[1] ?? 0);
    const nats = await connect({ servers: system.stack.natsUrl });
    try {
      // Every slot of Dovecot's host taken, as by a busy fetcher fleet; one a run holds now is taken once it frees.
      const slots = await new Kvm(nats).open('host-connection-slots');
      const keys = Array.from({ length: HOST_CAP }, (_, n) => leaseKey(`127.0.0.1#${n}`));
      await Promise.all(keys.map((key) => expectEventually(() => slots.create(key, JSON.stringify({ holder: 'busy-fetcher', expiresAt: Date.now() + 120_000 })))));
      const retriedBefore = await retries();

      const queued = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Slot', text: 'Guten Tag' })).body;
      await settled(queued.id, 'sent');
      await expectEventually(async () => expect(await retries()).toBeGreaterThan(retriedBefore));

      // The mail is out; its copy and message.sent wait for a slot.
      expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body.sentFolder).toBeUndefined();
      expect(await onServer('Sent', queued.messageIdHeader)).toEqual([]);
      expect(await sentEvent(queued.id)).toEqual([]);

      await Promise.all(keys.map((key) => slots.delete(key)));
      const event = await expectEventually(
        async () => {
          const [sent] = await sentEvent(queued.id);
          expect(sent?.sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED, folder: 'Sent' });
          return sent!;
        },
        { timeoutMs: 30_000 },
      );
      expect(await onServer('Sent', queued.messageIdHeader)).toEqual([expect.stringMatching(new RegExp(`^uid: ${event.sentFolder!.uid}\\b`))]);
      expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body).toMatchObject({ status: 'sent', attempts: 1, sentFolder: { status: 'appended', folder: 'Sent' } });
      expect((await system.stack.smtp!.messages()).filter((mail) => mail.raw.toString().includes(queued.messageIdHeader))).toHaveLength(1);
    } finally {
      await nats.close();
    }
  });

  it('should thread replies: References from the stored original plus its Message-ID', async () => {
    const first = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Thread', text: '1' })).body;
    await expectEventually(async () => expect((await sentFolder(erik.id)).map(({ subject }) => subject)).toContain('Thread'), { timeoutMs: 30_000 });
    const second = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Re: Thread', text: '2', inReplyTo: first.messageIdHeader })).body;
    await expectEventually(async () => expect((await sentFolder(erik.id)).map(({ subject }) => subject)).toContain('Re: Thread'), { timeoutMs: 30_000 });
    const third = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Re: Re: Thread', text: '3', inReplyTo: second.messageIdHeader })).body;
    await settled(third.id, 'sent');

    const [mail] = (await system.stack.smtp!.messages()).filter((received) => received.raw.toString().includes(`Message-ID: ${third.messageIdHeader}`));
    const headers = mail!.raw.toString().split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toMatch(new RegExp(`^In-Reply-To: ${second.messageIdHeader.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(headers).toMatch(new RegExp(`^References: ${first.messageIdHeader.replace(/[.]/g, '\\.')} ${second.messageIdHeader.replace(/[.]/g, '\\.')}$`, 'm'));
  });

  it('should send an item that a crash left `sending` again, with the same Message-ID, and not file it twice', async () => {
    const queued = (await send({ userId: erik.id, to: ['max@example.org'], subject: 'Crash', text: 'x' })).body;
    await settled(queued.id, 'sent');
    await expectEventually(async () => expect(await onServer('Sent', queued.messageIdHeader)).toHaveLength(1));
    // What a SIGKILL between the server's acceptance and the record leaves, after the event was given up on.
    await mongo.db(system.env.MONGODB_DB).collection('outbox').updateOne({ _id: queued.id as never }, { $set: { status: 'sending', updatedAt: new Date(Date.now() - 60_000) }, $unset: { sentFolder: '', sentAt: '' } });

    const again = await expectEventually(
      async () => {
        const item = (await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.id}`, { token: system.tokens.app })).body;
        expect(item).toMatchObject({ status: 'sent', attempts: 2 });
        return item;
      },
      { timeoutMs: 30_000 },
    );
    expect(again.messageIdHeader).toBe(queued.messageIdHeader);
    const atSink = (await system.stack.smtp!.messages()).filter((mail) => mail.raw.toString().includes(`Message-ID: ${queued.messageIdHeader}`));
    expect(atSink).toHaveLength(2);
    expect(atSink[0]!.raw.equals(atSink[1]!.raw)).toBe(true);
    await expectEventually(async () => expect((await sentEvent(queued.id)).length).toBeGreaterThanOrEqual(1));
    expect(await onServer('Sent', queued.messageIdHeader)).toHaveLength(1);
  });

  it('should file a burst of copies over one IMAP login, and give the connection and its host slot back soon after', async () => {
    const keptConnections = async (): Promise<number> =>
      Number(/^mailbus_kept_imap_connections(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${system.port('smtp-sender')}/metrics`)).text())?.[1]);
    await system.stack.dovecot!.addUser({ username: 'burst', password: DEFAULT_MAIL_PASSWORD });
    const imap = await startCountingProxy({ targetPort: system.stack.dovecot!.imapsPort });
    const nats = await connect({ servers: system.stack.natsUrl });
    try {
      const account = (
        await system.api<AccountView>('POST', '/v1/accounts', {
          body: {
            name: 'Burst',
            email: 'burst@example.com',
            owners: [erik.id],
            receive: { protocol: 'imap', host: '127.0.0.1', port: imap.port, security: 'tls', username: 'burst', password: DEFAULT_MAIL_PASSWORD, enabled: false },
            send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'user1', password: 'password', appendToSent: 'always' },
          },
        })
      ).body;
      const queued = await Promise.all(Array.from({ length: 6 }, async (_, n) => (await send({ accountId: account.id, to: ['max@example.org'], subject: `Burst ${n}`, text: 'x' })).body));

      for (const { id } of queued) expect((await theSentEvent(id)).sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED, folder: 'Sent' });
      expect(imap.total).toBe(1);
      expect(await keptConnections()).toBeGreaterThanOrEqual(1);
      const listed = (await system.stack.dovecot!.doveadm(['fetch', '-u', 'burst', 'uid', 'mailbox', 'Sent', 'all'])).split('\n').filter((line) => line.startsWith('uid:'));
      expect(listed).toHaveLength(6);
      // Closed once idle, and its slot released (not left to run out).
      await expectEventually(() => expect(imap.open).toBe(0), { timeoutMs: 20_000 });
      await expectEventually(async () => expect(await keptConnections()).toBe(0), { timeoutMs: 20_000 });
      const slots = await new Kvm(nats).open('host-connection-slots');
      const held: string[] = [];
      for await (const key of await slots.keys()) {
        const entry = await slots.get(key);
        if (entry?.operation === 'PUT') held.push(entry.string());
      }
      expect(held.filter((value) => value.includes('smtp-sender'))).toEqual([]);

      // A kept connection the server dropped: the next copy goes over a new one, not into a failure.
      const first = (await send({ accountId: account.id, to: ['max@example.org'], subject: 'Before the cut', text: 'x' })).body;
      expect((await theSentEvent(first.id)).sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED });
      imap.cut();
      const second = (await send({ accountId: account.id, to: ['max@example.org'], subject: 'After the cut', text: 'x' })).body;
      expect((await theSentEvent(second.id)).sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED, folder: 'Sent' });
      expect(imap.total).toBe(3);
    } finally {
      await nats.close();
      await imap.close();
    }
  });

  it('should skip the Sent folder when the account says never, and send system mail without a sent delivery', async () => {
    expect((await system.api('PATCH', `/v1/accounts/${sentAccount.id}`, { body: { send: { appendToSent: 'never' } } })).status).toBe(200);
    const queued = (await send({ accountId: sentAccount.id, to: ['orders@example.org'], subject: 'System', text: 'x' })).body;
    await settled(queued.id, 'sent');
    const event = await theSentEvent(queued.id);
    expect(event.sentFolder).toMatchObject({ status: SentFolderAppendStatus.SKIPPED, reason: 'appendToSent is never' });
    expect(await onServer('Sent', queued.messageIdHeader)).toEqual([]);
    expect(await mongo.db(system.env.MONGODB_DB).collection('messages').countDocuments({ messageIdHeader: queued.messageIdHeader })).toBe(0);
  });

  it("should let a request's appendToSent win over the account's (rule 26: per account and per message)", async () => {
    expect((await system.api('PATCH', `/v1/accounts/${sentAccount.id}`, { body: { send: { appendToSent: 'never' } } })).status).toBe(200);
    const queued = (await send({ accountId: sentAccount.id, to: ['orders@example.org'], subject: 'Filed anyway', text: 'x', appendToSent: 'always' })).body;
    await settled(queued.id, 'sent');
    expect((await theSentEvent(queued.id)).sentFolder).toMatchObject({ status: SentFolderAppendStatus.APPENDED, folder: 'Sent' });
    expect(await onServer('Sent', queued.messageIdHeader)).toHaveLength(1);
    const refused = await send({ accountId: sentAccount.id, to: ['orders@example.org'], subject: 'x', text: 'x', appendToSent: 'sometimes' });
    expect(refused.status).toBe(400);
  });
});
