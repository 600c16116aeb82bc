import { fromBinary } from '@bufbuild/protobuf';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, SendRequestedSchema, type AccountView, type OutboxItemView, type UserView } from '@mailbus/contracts';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * The outbox's front half: POST /v1/outbox picks the sender account by FlowFact's rules (or refuses
 * with the reason), stores the item and its attachments, and publishes send.requested.
 */
let system: System;
let mongo: MongoClient;
let anna: UserView;
let ben: UserView;
let annaAccount: AccountView;
let salesAccount: AccountView;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'smtp-sender'], stack: { mail: true } });
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
  const user = async (body: Record<string, unknown>): Promise<UserView> => {
    const response = await system.api<UserView>('POST', '/v1/users', { body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  anna = await user({ displayName: 'Anna Berger', addresses: ['anna@example.com', 'a.berger@example.com'], defaultFrom: 'anna@example.com' });
  ben = await user({ displayName: 'Ben', addresses: ['ben@example.com'] });
  const carla = await user({ displayName: 'Carla', addresses: ['carla@example.com'] });
  const account = async (body: Record<string, unknown>): Promise<AccountView> => {
    const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'user1', password: 'password' }, ...body } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  annaAccount = await account({ name: 'Anna', email: 'anna@example.com', displayName: 'Anna Berger | Immobilien', owners: [anna.id], replyTo: 'office@example.com' });
  salesAccount = await account({ name: 'Sales', email: 'sales@example.com', displayName: 'Sales Team', owners: [carla.id], senders: [anna.id] });
  await account({ name: 'Old', email: 'anna.old@example.com', owners: [anna.id], serviceEnabled: false });
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const send = (body: Record<string, unknown>) => system.api<OutboxItemView & { error?: { code: string; message: string } }>('POST', '/v1/outbox', { body, token: system.tokens.app });

describe('POST /v1/outbox', () => {
  it("should take the user's default From account when the request names no From, store the item and publish send.requested", async () => {
    const pdf = Buffer.from('%PDF-1.4 exposé');
    const response = await send({ userId: anna.id, to: ['max@example.org'], subject: 'Ihr Exposé', text: 'Guten Tag', attachments: [{ filename: 'Exposé.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] });

    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toMatchObject({ status: 'queued', userId: anna.id, accountId: annaAccount.id, attempts: 0, messageIdHeader: expect.stringMatching(/^<[0-9a-f]{24}\.[0-9a-z]+@example\.com>$/) });
    const stored = await system.api<OutboxItemView>('GET', `/v1/outbox/${response.body.id}`, { token: system.tokens.app });
    expect(stored.body).toEqual(response.body);
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

  it.each([
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

  it('should answer 404 for an unknown item and 401 without a token', async () => {
    expect((await system.api('GET', '/v1/outbox/NoSuchItem0000000000000', { token: system.tokens.app })).status).toBe(404);
    expect((await system.api('POST', '/v1/outbox', { body: {}, token: null })).status).toBe(401);
  });
});
