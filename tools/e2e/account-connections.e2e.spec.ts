import { fromBinary } from '@bufbuild/protobuf';
import { Kvm } from '@nats-io/kv';
import { connect as connectNats } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountChangedSchema, Events, type AccountView, type ConnectionTestView, type FolderView, type UserView } from '@mailbus/contracts';
import { leaseKey } from '@mailbus/nats-transport';
import { freePort } from '@mailbus/testing';
import { startCountingProxy } from './counting-proxy';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

// Unique strings, so finding one anywhere (logs, events, responses, the database) can only be a leak.
const password = `S3cret-${randomBytes(9).toString('base64url')}`;
const wrongPassword = `Wr0ng-${randomBytes(9).toString('base64url')}`;
const keyOld = `k1:${randomBytes(32).toString('base64')}`;
const keyNew = `k2:${randomBytes(32).toString('base64')}`;

const SILENT_HOST = '127.0.0.2';

let system: System;
let owner: UserView;
let silent: Server;
let silentPort: number;
let closedPort: number;
const mongo = () => new MongoClient(system.env.MONGODB_URL!);

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { MAILBUS_SECRET_KEY: keyOld, CONNECTION_TEST_TIMEOUT_MS: '2000' } });
  await system.stack.dovecot!.addUser({ username: 'secretuser', password });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['owner@example.com'] } })).body;
  silent = createServer(() => undefined);
  // Its own loopback address: the fetcher's runs of the timeout case's accounts hang there, in that
  // host's connection slots, not in those of 127.0.0.1 that the other tests' connections need.
  await new Promise<void>((resolve) => silent.listen(0, SILENT_HOST, () => resolve()));
  silentPort = (silent.address() as { port: number }).port;
  closedPort = await freePort();
}, 180_000);

afterAll(async () => {
  silent?.close();
  await system?.stop();
});

const dovecot = () => system.stack.dovecot!;
const imap = (override: Record<string, unknown> = {}) => ({ protocol: 'imap', host: '127.0.0.1', port: dovecot().imapsPort, security: 'tls', username: 'secretuser', password, ...override });
const pop3 = (override: Record<string, unknown> = {}) => ({ protocol: 'pop3', host: '127.0.0.1', port: dovecot().pop3sPort, security: 'tls', username: 'secretuser', password, ...override });
const smtp = (override: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'secretuser', password, ...override });

let accountSeq = 0;
const createAccount = async (settings: Record<string, unknown>): Promise<AccountView> => {
  accountSeq += 1;
  const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: `Account ${accountSeq}`, email: `acc${accountSeq}@example.com`, owners: [owner.id], ...settings } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};

describe('connection test of a saved account', () => {
  it.each([
    ['ok for the right credentials', {}, 'ok'],
    ['auth for a wrong password', { password: wrongPassword }, 'auth'],
    ['connect for a closed port', { port: 0 }, 'connect'],
    ['tls for TLS against a plaintext port', { port: -1 }, 'tls'],
    ['dns for an unknown host', { host: 'no-such-host.invalid' }, 'dns'],
    ['timeout for a port that accepts and never answers', { port: -2, security: 'starttls' }, 'timeout'],
  ] as const)('should answer %s, over IMAP, POP3 and SMTP', async (_case, override, outcome) => {
    const ports = (side: 'imap' | 'pop3' | 'smtp') => {
      const plain = { imap: dovecot().imapPort, pop3: dovecot().pop3Port, smtp: system.stack.smtp!.port }[side];
      const port = 'port' in override ? override.port : undefined;
      if (port === 0) return { port: closedPort };
      if (port === -1) return { port: plain, security: 'tls' };
      if (port === -2) return { host: SILENT_HOST, port: silentPort };
      return {};
    };
    const { port: _port, ...rest } = override as Record<string, unknown>;
    for (const receive of [imap({ ...rest, ...ports('imap') }), pop3({ ...rest, ...ports('pop3') })]) {
      const account = await createAccount({ receive, send: smtp({ ...rest, ...ports('smtp') }) });
      const started = Date.now();
      const result = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
      expect(result.status).toBe(200);
      expect(result.body.receive, JSON.stringify(result.body)).toMatchObject({ outcome, protocol: receive.protocol });
      expect(result.body.send, JSON.stringify(result.body)).toMatchObject({ outcome, protocol: 'smtp' });
      if (outcome === 'auth') {
        expect(result.body.receive?.message).toMatch(/Authentication failed/);
        expect(result.body.send?.message).toMatch(/^535/);
      }
      if (outcome === 'timeout') expect(Date.now() - started).toBeLessThan(6_000);
    }
  });

  it('should test settings that are not saved yet', async () => {
    const result = await system.api<ConnectionTestView>('POST', '/v1/accounts/test', { body: { receive: pop3({ port: dovecot().pop3Port, security: 'starttls' }), send: smtp({ password: wrongPassword }) } });
    expect(result.status).toBe(200);
    expect(result.body.receive?.outcome).toBe('ok');
    expect(result.body.send?.outcome).toBe('auth');
  });
});

describe('folder list', () => {
  it('should show Dovecot’s folders with their special-use flags', async () => {
    const account = await createAccount({ receive: imap() });
    const response = await system.api<FolderView[]>('GET', `/v1/accounts/${account.id}/folders`);
    expect(response.status).toBe(200);
    expect(response.body[0]?.path).toBe('INBOX');
    const byUse = Object.fromEntries(response.body.filter(({ specialUse }) => specialUse).map(({ specialUse, path }) => [specialUse, path]));
    expect(byUse).toMatchObject({ '\\Sent': 'Sent', '\\Junk': 'Junk', '\\Trash': 'Trash', '\\Drafts': 'Drafts' });
  });

  it('should list 2,600 folders with long names, more than one NATS reply holds, and leave no blob behind', async () => {
    // A shared mailbox tree of a large office; Maildir++ folders made on disk, as Dovecot would. Long
    // names, so that fewer folders (each costs Dovecot time on first sight) make a list over 1 MiB.
    const username = 'manyfolders';
    await dovecot().addUser({ username, password });
    await dovecot().doveadm(['mailbox', 'status', '-u', username, 'messages', 'INBOX']);
    const root = dovecot().mailDir(username);
    const { uid, gid } = await stat(root);
    const longName = (index: number): string => `Objekt ${String(index).padStart(5, '0')} ${'Besichtigungen, Exposes und Korrespondenz mit Interessenten '.repeat(3)}`.trim();
    const names = Array.from({ length: 2600 }, (_, index) => `Kunden.${longName(index)}`);
    for (let start = 0; start < names.length; start += 500) {
      await Promise.all(
        names.slice(start, start + 500).map(async (name) => {
          const dir = join(root, `.${name}`);
          for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
          for (const path of [dir, ...['cur', 'new', 'tmp'].map((sub) => join(dir, sub))]) await chown(path, uid, gid);
        }),
      );
    }
    // Dovecot's first look at thousands of new directories takes longer than this file's 2 s connection timeout.
    await dovecot().doveadm(['mailbox', 'list', '-u', username]);
    const account = await createAccount({ receive: imap({ username }) });

    const response = await system.api<FolderView[]>('GET', `/v1/accounts/${account.id}/folders`);

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(JSON.stringify(response.body).length).toBeGreaterThan(1024 * 1024);
    const paths = new Set(response.body.map(({ path }) => path));
    // Maildir++ separates levels with '.' on disk; Dovecot's namespace shows '/'.
    expect(names.filter((name) => !paths.has(name.replace('.', '/'))).slice(0, 3)).toEqual([]);
    expect(response.body.find(({ path }) => path === `Kunden/${longName(2471)}`)).toMatchObject({ name: longName(2471), delimiter: '/', selectable: true });
    const client = await mongo().connect();
    try {
      expect(await client.db(system.env.MONGODB_DB).collection('blobs.files').countDocuments({ _id: { $regex: '^folder-list-' } as never })).toBe(0);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('should answer 422 for POP3 and 502 with the server’s text when the login fails', async () => {
    const pop = await createAccount({ receive: pop3() });
    expect((await system.api('GET', `/v1/accounts/${pop.id}/folders`)).status).toBe(422);
    const wrong = await createAccount({ receive: imap({ password: wrongPassword }) });
    const failed = await system.api<{ error: { code: string; message: string } }>('GET', `/v1/accounts/${wrong.id}/folders`);
    expect(failed.status).toBe(502);
    expect(failed.body.error.message).toContain('auth: [AUTHENTICATIONFAILED]');
  });
});

describe('per-host connection slots', () => {
  it('should answer busy without connecting while mailbus holds every slot of the IMAP host, test SMTP meanwhile, and log in once a slot is free', async () => {
    const proxy = await startCountingProxy({ targetPort: dovecot().imapsPort });
    const nats = await connectNats({ servers: system.stack.natsUrl });
    const slots = await new Kvm(nats).open('host-connection-slots');
    // Slots count by host name: `localhost` (in the certificate too) is this test's own, apart from the fetcher's 127.0.0.1.
    // The default cap of 3, held as the fetcher's runs would hold them.
    const keys = Array.from({ length: 3 }, (_, n) => leaseKey(`localhost#${n}`));
    await Promise.all(keys.map((key) => slots.put(key, JSON.stringify({ holder: 'fetcher:elsewhere', expiresAt: Date.now() + 120_000 }))));
    try {
      // Not fetched (receive disabled), so only the registry connects through the proxy.
      const settings = { receive: imap({ host: 'localhost', port: proxy.port, enabled: false }), send: smtp() };
      const account = await createAccount(settings);

      const busy = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
      expect(busy.body.receive, JSON.stringify(busy.body)).toMatchObject({ outcome: 'busy', protocol: 'imap', message: expect.stringContaining('all 3 connection slots of localhost') });
      expect(busy.body.receive!.durationMs).toBeGreaterThanOrEqual(2_000);
      expect(busy.body.send?.outcome).toBe('ok');
      const folders = await system.api<{ error: { code: string; message: string } }>('GET', `/v1/accounts/${account.id}/folders`);
      expect(folders.status).toBe(503);
      expect(folders.body.error.message).toContain('HOST_CONNECTION_CAP');
      const unsaved = await system.api<ConnectionTestView>('POST', '/v1/accounts/test', { body: { receive: settings.receive } });
      expect(unsaved.body.receive?.outcome).toBe('busy');
      expect(proxy.total).toBe(0);

      await slots.delete(keys[1]!);
      const tested = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
      expect(tested.body.receive?.outcome).toBe('ok');
      expect((await system.api<FolderView[]>('GET', `/v1/accounts/${account.id}/folders`)).status).toBe(200);
      expect(proxy.total).toBe(2);
      // Given back after each: the freed slot is free again.
      const entry = await slots.get(keys[1]!);
      expect(entry === null || entry.operation !== 'PUT').toBe(true);
    } finally {
      await Promise.all(keys.map((key) => slots.delete(key)));
      await nats.close();
      await proxy.close();
    }
  });
});

describe('secrets', () => {
  it('should keep only ciphertext in MongoDB and still log in after a key rotation', async () => {
    const account = await createAccount({ receive: imap(), send: smtp() });
    const client = await mongo().connect();
    try {
      const accounts = client.db(system.env.MONGODB_DB).collection('accounts');
      const raw = await accounts.findOne({ _id: account.id as never });
      expect(JSON.stringify(raw)).not.toContain(password);
      expect(raw?.receive.passwordSealed).toMatch(/^mb1\.k1\./);
      expect(raw?.send.passwordSealed).toMatch(/^mb1\.k1\./);

      await system.restart('account-registry', { MAILBUS_SECRET_KEY: `${keyNew},${keyOld}` });
      const afterRotation = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
      expect([afterRotation.body.receive?.outcome, afterRotation.body.send?.outcome]).toEqual(['ok', 'ok']);
      // A write re-seals with the newest key, so the old key can be retired.
      await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { note: 'rotated' } });
      expect((await accounts.findOne({ _id: account.id as never }))?.receive.passwordSealed).toMatch(/^mb1\.k2\./);
      await system.restart('account-registry', { MAILBUS_SECRET_KEY: keyNew });
      const newKeyOnly = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
      expect([newKeyOnly.body.receive?.outcome, newKeyOnly.body.send?.outcome]).toEqual(['ok', 'ok']);
    } finally {
      await client.close();
      await system.restart('account-registry', { MAILBUS_SECRET_KEY: `${keyNew},${keyOld}` });
    }
  });

  it('should never show a password in responses, events or any service log of this run', async () => {
    const account = await createAccount({ receive: imap(), send: smtp() });
    const responses = [
      await system.api('GET', `/v1/accounts/${account.id}`),
      await system.api('GET', '/v1/accounts?limit=500'),
      await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { password: wrongPassword } } }),
      await system.api('POST', '/v1/accounts/test', { body: { receive: imap({ password: wrongPassword }) } }),
    ];
    for (const response of responses) expect(JSON.stringify(response.body)).not.toMatch(new RegExp(`${password}|${wrongPassword}`));
    const events = await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.accountChanged.subject });
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) {
      expect(Buffer.from(event.data).toString('latin1')).not.toMatch(new RegExp(`${password}|${wrongPassword}`));
      expect(fromBinary(AccountChangedSchema, event.data).accountId).toBeTruthy();
    }
    const logs = await system.logs();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(wrongPassword);
  });
});
