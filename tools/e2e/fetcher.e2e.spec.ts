import { fromBinary } from '@bufbuild/protobuf';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountSyncFailedSchema, Events, MailErrorClass, MessageFetchedSchema, type AccountView, type MessageFetched, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { DEFAULT_MAIL_PASSWORD, appendMessage } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { accountRuns } from './account-runs';
import { startSystem, type System } from './system';

let system: System;
let owner: UserView;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['fetch-owner@example.com'] } })).body;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const { runFinished, syncNow } = accountRuns(() => system);

const dovecot = () => system.stack.dovecot!;
const message = (n: number, to: string) => `From: sender@example.com\r\nTo: ${to}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${to}>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nBody ${n}\r\n`;

async function mailUser(username: string): Promise<void> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
}

async function createAccount(username: string, receive: Record<string, unknown>): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { host: '127.0.0.1', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function fetchedEvents(accountId: string): Promise<MessageFetched[]> {
  return (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageFetched.subject })).map((event) => fromBinary(MessageFetchedSchema, event.data)).filter((event) => event.accountId === accountId);
}

async function countRecords(accountId: string): Promise<number> {
  const client = await new MongoClient(system.env.MONGODB_URL!).connect();
  try {
    return await client.db(system.env.MONGODB_DB).collection('fetched_messages').countDocuments({ accountId });
  } finally {
    await client.close();
  }
}

describe('IMAP', () => {
  it('should store and publish new mail exactly once, never set \\Seen, and fetch nothing on a second run', async () => {
    await mailUser('imapfetch');
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: 'imapfetch', raw: message(n, 'imapfetch@example.com') });
    const created = Date.now();
    const account = await createAccount('imapfetch', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls' });

    const first = await runFinished(account.id, created);
    expect(first.state).toBe('idle');
    expect(first.folders).toEqual([expect.objectContaining({ path: 'INBOX', lastUid: 3 })]);
    const events = await fetchedEvents(account.id);
    expect(events.map((event) => event.uid).sort()).toEqual([1, 2, 3]);
    expect(events.map((event) => event.messageIdHeader).sort()).toEqual(['m1.imapfetch@example.com', 'm2.imapfetch@example.com', 'm3.imapfetch@example.com']);
    expect(events.every((event) => event.fetchKey === `${account.id}/imap/INBOX/${event.uidValidity}/${event.uid}` && event.size > 0 && event.sha256.length === 64)).toBe(true);

    await appendMessage({ dovecot: dovecot(), username: 'imapfetch', raw: message(4, 'imapfetch@example.com') });
    const second = await runFinished(account.id, await syncNow(account.id));
    expect(second.folders[0]?.lastUid).toBe(4);
    const third = await runFinished(account.id, await syncNow(account.id));
    expect(third.folders[0]?.lastUid).toBe(4);
    expect((await fetchedEvents(account.id)).map((event) => event.uid).sort()).toEqual([1, 2, 3, 4]);
    expect(await countRecords(account.id)).toBe(4);

    const client = new ImapFlow({ host: '127.0.0.1', port: dovecot().imapPort, secure: false, tls: { ca: dovecot().caCertPem }, auth: { user: 'imapfetch', pass: DEFAULT_MAIL_PASSWORD }, logger: false });
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    for await (const fetched of client.fetch('1:*', { flags: true })) expect([...(fetched.flags ?? [])]).not.toContain('\\Seen');
    await client.logout();
  });

  it('should put an account with a wrong password into error with class auth and publish account.sync_failed', async () => {
    await mailUser('imapwrong');
    const created = Date.now();
    const account = await createAccount('imapwrong', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls', password: 'not-the-password' });
    const status = await runFinished(account.id, created);
    expect(status).toMatchObject({ state: 'error', consecutiveFailures: 1, error: { class: 'auth' } });
    expect(Date.parse(status.nextRunAt!)).toBeGreaterThan(Date.now() + 30_000);
    const failures = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.accountSyncFailed.subject })).map((event) => fromBinary(AccountSyncFailedSchema, event.data)).filter((event) => event.accountId === account.id);
    expect(failures).toEqual([expect.objectContaining({ errorClass: MailErrorClass.AUTH, consecutiveFailures: 1 })]);
  });
});

const metricValue = async (name: string): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${system.port('fetcher')}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{[^}]*protocol="imap"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
};

describe('isolation', () => {
  it('should not let a hanging server or a wrong password delay the other accounts', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const hung = await createAccount('hung', { protocol: 'imap', host: 'localhost', port: (silent.address() as { port: number }).port, security: 'none' });
      await createAccount('wrongpw', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls', password: 'wrong-password' });
      await mailUser('healthy');
      await appendMessage({ dovecot: dovecot(), username: 'healthy', raw: message(1, 'healthy@example.com') });
      const created = Date.now();
      const healthy = await createAccount('healthy', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls' });
      const status = await runFinished(healthy.id, created);
      expect(status.state).toBe('idle');
      expect(Date.parse(status.lastSuccessAt!) - created).toBeLessThan(5_000);
      // The hanging one is still waiting for its greeting (MAIL_TIMEOUT_MS is 30 s here).
      expect((await system.api<SyncStatusView>('GET', `/v1/accounts/${hung.id}/status`)).body.state).toBe('syncing');
    } finally {
      silent.close();
    }
  });
});

describe('IMAP at scale and across UIDVALIDITY changes', () => {
  it('should transfer only the one new message from a folder with 10,000 old ones', async () => {
    await mailUser('imapbig');
    await appendMessage({ dovecot: dovecot(), username: 'imapbig', raw: message(0, 'imapbig@example.com') });
    // 9,999 more straight into the Maildir: Dovecot gives them UIDs at the next SELECT.
    const cur = join(dovecot().mailDir('imapbig'), 'cur');
    for (let n = 1; n < 10_000; n += 1) await writeFile(join(cur, `${1_700_000_000 + n}.M${n}P1.test:2,`), message(n, 'imapbig@example.com'));
    // A status call makes Dovecot index the files now, so they get UIDs 2…10,000 before the next APPEND.
    expect(await dovecot().doveadm(['mailbox', 'status', '-u', 'imapbig', 'messages', 'INBOX'])).toContain('messages=10000');
    const account = await createAccount('imapbig', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls', enabled: false });
    // The admin's checkpoint (GET/PATCH status) stands for an earlier sync of the 10,000.
    expect((await system.api('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'INBOX', lastUid: 10_000 }] } })).status).toBe(200);
    const newest = message(10_000, 'imapbig@example.com');
    await appendMessage({ dovecot: dovecot(), username: 'imapbig', raw: newest });
    const bytesBefore = await metricValue('mailbus_fetch_bytes_total');
    const enabled = Date.now();
    expect((await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { enabled: true } } })).status).toBe(200);
    const status = await runFinished(account.id, enabled);
    expect(status.folders[0]).toMatchObject({ path: 'INBOX', lastUid: 10_001 });
    expect((await fetchedEvents(account.id)).map((event) => event.uid)).toEqual([10_001]);
    expect((await metricValue('mailbus_fetch_bytes_total')) - bytesBefore).toBe(Buffer.byteLength(newest));
  }, 120_000);

  it('should re-link a recreated folder without duplicates and fetch only what is really new', async () => {
    await mailUser('imaprecreate');
    await appendMessage({ dovecot: dovecot(), username: 'imaprecreate', raw: message(0, 'imaprecreate@example.com') });
    await dovecot().doveadm(['mailbox', 'create', '-u', 'imaprecreate', 'Projects']);
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: 'imaprecreate', folder: 'Projects', raw: message(n, 'imaprecreate@example.com') });
    const created = Date.now();
    const account = await createAccount('imaprecreate', { protocol: 'imap', port: dovecot().imapsPort, security: 'tls', folders: ['Projects'] });
    const before = await runFinished(account.id, created);
    const oldValidity = before.folders[0]?.uidValidity;
    expect((await fetchedEvents(account.id)).length).toBe(3);

    // Recreated with the same messages plus one: a new UIDVALIDITY, UIDs from 1 again.
    await dovecot().doveadm(['mailbox', 'delete', '-u', 'imaprecreate', 'Projects']);
    await dovecot().doveadm(['mailbox', 'create', '-u', 'imaprecreate', 'Projects']);
    for (const n of [1, 2, 3, 4]) await appendMessage({ dovecot: dovecot(), username: 'imaprecreate', folder: 'Projects', raw: message(n, 'imaprecreate@example.com') });
    const after = await runFinished(account.id, await syncNow(account.id));
    expect(after.folders[0]?.uidValidity).not.toBe(oldValidity);
    expect(after.folders[0]?.lastUid).toBe(4);
    const events = await fetchedEvents(account.id);
    expect(events.map((event) => event.messageIdHeader).sort()).toEqual(['m1.imaprecreate@example.com', 'm2.imaprecreate@example.com', 'm3.imaprecreate@example.com', 'm4.imaprecreate@example.com']);
    expect(await countRecords(account.id)).toBe(4);
  });
});

describe('POP3', () => {
  const serverCount = async (username: string): Promise<number> => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot().pop3Port, security: 'none', timeoutMs: 5_000 });
    await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
    const { count } = await client.stat();
    await client.quit();
    return count;
  };

  it('should store every message once and delete it on the server only after storing it', async () => {
    await mailUser('popdelete');
    for (const n of [1, 2]) await appendMessage({ dovecot: dovecot(), username: 'popdelete', raw: message(n, 'popdelete@example.com') });
    const created = Date.now();
    const account = await createAccount('popdelete', { protocol: 'pop3', port: dovecot().pop3sPort, security: 'tls' });
    expect((await runFinished(account.id, created)).state).toBe('idle');
    expect((await fetchedEvents(account.id)).map((event) => event.uidl)).toHaveLength(2);
    expect(await countRecords(account.id)).toBe(2);
    expect(await serverCount('popdelete')).toBe(0);
  });

  it('should leave messages on the server with leaveOnServer and not fetch them again', async () => {
    await mailUser('popkeep');
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: 'popkeep', raw: message(n, 'popkeep@example.com') });
    const created = Date.now();
    const account = await createAccount('popkeep', { protocol: 'pop3', port: dovecot().pop3Port, security: 'starttls', leaveOnServer: true });
    await runFinished(account.id, created);
    await runFinished(account.id, await syncNow(account.id));
    const events = await fetchedEvents(account.id);
    expect(events).toHaveLength(3);
    expect(new Set(events.map((event) => event.fetchKey)).size).toBe(3);
    expect(await serverCount('popkeep')).toBe(3);
  });
});
