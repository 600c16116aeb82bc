import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { DEFAULT_MAIL_PASSWORD, appendMessage } from '@mailbus/testing';
import { accountRuns } from './account-runs';
import { startPop3Proxy } from './pop3-proxy';
import { startSystem, type System } from './system';

let system: System;
let owner: UserView;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['pop3-safety-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 300_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const { runFinished, syncNow } = accountRuns(() => system);

const dovecot = () => system.stack.dovecot!;
const records = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; accountId: string; uidl?: string; size: number }>('fetched_messages');
const message = (n: number, to: string, body = `Body ${n}\r\n`) => `From: sender@example.com\r\nTo: ${to}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${to}>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n${body}`;

async function createAccount({ username, port = dovecot().pop3Port }: { username: string; port?: number }): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'pop3', host: '127.0.0.1', port, security: 'none', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** What is on the server now, by UIDL with its LIST size, as another POP3 client sees it. */
async function onServer(username: string): Promise<Array<{ uidl: string; size: number }>> {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot().pop3Port, security: 'none', timeoutMs: 5_000 });
  try {
    await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
    const sizes = new Map((await client.list()).map(({ number, size }) => [number, size]));
    return (await client.uidl()).map(({ number, uid }) => ({ uidl: uid, size: sizes.get(number)! }));
  } finally {
    await client.quit();
  }
}

describe('POP3 UIDL reused for a new message', () => {
  it('should fetch a new message that got the UIDL of one stored and deleted before, not delete it unfetched', async () => {
    await dovecot().addUser({ username: 'popreuse', password: DEFAULT_MAIL_PASSWORD });
    const first = await appendMessage({ dovecot: dovecot(), username: 'popreuse', raw: message(1, 'popreuse@example.com') });
    const [old] = await onServer('popreuse');
    const created = Date.now();
    const account = await createAccount({ username: 'popreuse' });
    expect((await runFinished(account.id, created)).state).toBe('idle');
    expect(await onServer('popreuse')).toEqual([]);
    expect(await records().find({ accountId: account.id }).toArray()).toMatchObject([{ uidl: old!.uidl }]);

    // The mailbox loses its UID list (a restore, a rebuilt index) and keeps its UIDVALIDITY: the
    // next message gets UID 1 again, and with it the UIDL of the message stored and deleted above.
    const maildir = dovecot().mailDir('popreuse');
    for (const name of await readdir(maildir)) if (name.startsWith('dovecot')) await rm(join(maildir, name), { recursive: true, force: true });
    await dovecot().doveadm(['mailbox', 'update', '-u', 'popreuse', '--uid-validity', String(first.uidValidity), 'INBOX']);
    await appendMessage({ dovecot: dovecot(), username: 'popreuse', raw: message(2, 'popreuse@example.com', 'A longer body than the first message had.\r\n') });
    const [reused] = await onServer('popreuse');
    expect(reused!.uidl).toBe(old!.uidl);
    expect(reused!.size).not.toBe(old!.size);

    expect((await runFinished(account.id, await syncNow(account.id))).state).toBe('idle');

    // Stored once each, and deleted on the server only now that it is stored.
    const stored = await records().find({ accountId: account.id }).sort({ fetchedAt: 1 }).toArray();
    expect(stored.map(({ uidl, size }) => [uidl, size])).toEqual([
      [old!.uidl, old!.size],
      [`${old!.uidl} size=${reused!.size}`, reused!.size],
    ]);
    expect(await onServer('popreuse')).toEqual([]);
  });
});

describe('POP3 UIDL listed for two messages', () => {
  it('should store both messages, each once, before either is deleted', async () => {
    await dovecot().addUser({ username: 'popshared', password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2]) await appendMessage({ dovecot: dovecot(), username: 'popshared', raw: message(n, 'popshared@example.com') });
    // Dovecot serves a UIDL kept in dovecot-uidlist (P, from a migration) instead of its own format,
    // and lists duplicates as they are (pop3_uidl_duplicates = allow, the default).
    const maildir = dovecot().mailDir('popshared');
    const uidlist = await readFile(join(maildir, 'dovecot-uidlist'), 'latin1');
    await writeFile(join(maildir, 'dovecot-uidlist'), uidlist.replace(/^(\d+) (.*?):/gm, '$1 P1shared $2:'));
    for (const name of await readdir(maildir)) if (name.startsWith('dovecot.index')) await rm(join(maildir, name), { force: true });
    expect((await onServer('popshared')).map(({ uidl }) => uidl)).toEqual(['1shared', '1shared']);

    const created = Date.now();
    const account = await createAccount({ username: 'popshared' });
    expect((await runFinished(account.id, created)).state).toBe('idle');

    // Before, both went under the one UIDL: one record, one blob, and both deleted.
    const stored = await records().find({ accountId: account.id }).toArray();
    expect(stored).toHaveLength(2);
    expect(new Set(stored.map(({ uidl }) => uidl)).size).toBe(2);
    expect(await onServer('popshared')).toEqual([]);
  });
});

describe('POP3 message the server drops the connection on', () => {
  it('should skip that message, store and delete the others, and keep doing so on later runs', async () => {
    const marker = 'THE-SERVER-HANGS-UP-HERE';
    await dovecot().addUser({ username: 'popdrop', password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2, 3, 4]) await appendMessage({ dovecot: dovecot(), username: 'popdrop', raw: message(n, 'popdrop@example.com', n === 3 ? `${marker}\r\n` : undefined) });
    const [, , poison] = await onServer('popdrop');
    const proxy = await startPop3Proxy({ targetPort: dovecot().pop3Port, rules: { cutOnServerText: marker } });
    try {
      const created = Date.now();
      const account = await createAccount({ username: 'popdrop', port: proxy.port });

      const first = await runFinished(account.id, created);
      expect(first.state, JSON.stringify(first)).toBe('idle');
      expect(first.lastRun).toMatchObject({ fetched: 3, skippedMessages: 1 });
      expect(proxy.cuts).toBeGreaterThanOrEqual(1);
      // Only the message it breaks on is left on the server, and it has no record.
      expect(await onServer('popdrop')).toEqual([poison]);
      const stored = await records().find({ accountId: account.id }).toArray();
      expect(stored).toHaveLength(3);
      expect(stored.map(({ uidl }) => uidl)).not.toContain(poison!.uidl);

      // The next run tries it again, alone, and still gets the others' deletions done (none left here).
      const cutsBefore = proxy.cuts;
      const second = await runFinished(account.id, await syncNow(account.id));
      expect(second.state, JSON.stringify(second)).toBe('idle');
      expect(second.lastRun).toMatchObject({ fetched: 0, skippedMessages: 1 });
      expect(proxy.cuts).toBe(cutsBefore + 1);
      expect(await onServer('popdrop')).toEqual([poison]);
      expect(await records().countDocuments({ accountId: account.id })).toBe(3);
    } finally {
      await proxy.close();
    }
  });
});
