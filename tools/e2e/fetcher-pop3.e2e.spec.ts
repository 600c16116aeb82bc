import { chmod, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, SyncStatusView, UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { startSystem, type System } from './system';

let system: System;
let owner: UserView;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['pop3-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const DAY_MS = 86_400_000;
const dovecot = () => system.stack.dovecot!;
const records = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; accountId: string; uidl?: string; fetchedAt: Date }>('fetched_messages');
const message = (n: number, to: string, date = 'Sun, 22 Nov 2026 10:00:00 +0000') => `From: sender@example.com\r\nTo: ${to}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${to}>\r\nDate: ${date}\r\n\r\nBody ${n}\r\n`;

/** A Dovecot user with messages 1…count in its INBOX, in that order; `date(n)` gives message n's Date header. */
async function mailUser({ username, count, date }: { username: string; count: number; date?: (n: number) => string }): Promise<void> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
  for (let n = 1; n <= count; n += 1) await appendMessage({ dovecot: dovecot(), username, raw: message(n, `${username}@example.com`, date?.(n)) });
}

async function createAccount(username: string, receive: Record<string, unknown>): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'pop3', host: '127.0.0.1', port: dovecot().pop3Port, security: 'starttls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** Waits for a run that finished after `since` and returns the status it left. */
async function runFinished(accountId: string, since: number): Promise<SyncStatusView> {
  return expectEventually(
    async () => {
      const status = (await system.api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;
      const finished = Math.max(Date.parse(status.lastSuccessAt ?? '0'), status.error ? Date.parse(status.error.at) : 0);
      expect(finished, JSON.stringify(status)).toBeGreaterThanOrEqual(since);
      expect(status.state).not.toBe('syncing');
      return status;
    },
    { timeoutMs: 30_000 },
  );
}

async function syncNow(accountId: string): Promise<number> {
  const requested = Date.now();
  expect((await system.api('POST', `/v1/accounts/${accountId}/sync`)).status).toBe(202);
  return requested;
}

/** What is on the server now, by UIDL, as another POP3 client sees it. */
async function serverUidls(username: string): Promise<string[]> {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot().pop3Port, security: 'none', timeoutMs: 5_000 });
  try {
    await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
    return (await client.uidl()).map(({ uid }) => uid);
  } finally {
    await client.quit();
  }
}

/** The Maildir file of a user's message with this subject (Dovecot may have moved it from new/ to cur/). */
async function messageFile({ username, subject }: { username: string; subject: string }): Promise<string> {
  const maildir = dovecot().mailDir(username);
  const paths = (await Promise.all(['new', 'cur'].map(async (dir) => (await readdir(join(maildir, dir))).map((name) => join(maildir, dir, name))))).flat();
  for (const path of paths) if (/^Subject: (.*?)\r?$/m.exec(await readFile(path, 'latin1'))?.[1] === subject) return path;
  throw new Error(`no file with subject ${subject} in ${maildir}`);
}

describe('POP3 deleteAfterDays with leaveOnServer', () => {
  it('should delete on the server exactly the messages first fetched deleteAfterDays ago and keep the newer ones', async () => {
    await mailUser({ username: 'popexpire', count: 4 });
    const created = Date.now();
    const account = await createAccount('popexpire', { leaveOnServer: true, deleteAfterDays: 7 });
    expect((await runFinished(account.id, created)).state).toBe('idle');
    const fetched = await records().find({ accountId: account.id }).toArray();
    expect(fetched).toHaveLength(4);
    const onServer = await serverUidls('popexpire');
    expect(onServer).toHaveLength(4);

    // Two of them were first fetched 8 days ago; one exactly 7 days minus a minute ago (not yet due).
    const [expiredA, expiredB, almost] = onServer as [string, string, string, string];
    await records().updateMany({ accountId: account.id, uidl: { $in: [expiredA, expiredB] } }, { $set: { fetchedAt: new Date(Date.now() - 8 * DAY_MS) } });
    await records().updateOne({ accountId: account.id, uidl: almost }, { $set: { fetchedAt: new Date(Date.now() - 7 * DAY_MS + 60_000) } });
    expect((await runFinished(account.id, await syncNow(account.id))).state).toBe('idle');

    expect(await serverUidls('popexpire')).toEqual(onServer.filter((uidl) => uidl !== expiredA && uidl !== expiredB));
    // The records stay: the messages are stored, only the server copies went.
    expect(await records().countDocuments({ accountId: account.id })).toBe(4);
  });
});

describe('POP3 per-message failures', () => {
  it('should skip a message the server refuses to RETR, store and delete the others, and fetch it once it is readable again', async () => {
    await mailUser({ username: 'popunreadable', count: 3 });
    const broken = await messageFile({ username: 'popunreadable', subject: 'message 2' });
    const { mode } = await stat(broken);
    // Dovecot's mail processes do not run as root: mode 000 makes RETR of this one message fail with -ERR.
    await chmod(broken, 0o000);
    const created = Date.now();
    const account = await createAccount('popunreadable', {});

    const first = await runFinished(account.id, created);
    expect(first.state, JSON.stringify(first)).toBe('idle');
    expect(await records().countDocuments({ accountId: account.id })).toBe(2);
    // The two stored messages are gone from the server; the skipped one is still there and has no record.
    const left = await serverUidls('popunreadable');
    expect(left).toHaveLength(1);
    expect(await records().countDocuments({ accountId: account.id, uidl: left[0] })).toBe(0);
    await expectEventually(async () => expect((await system.logs()).split('\n').find((line) => line.includes('POP3 message skipped') && line.includes(`"uidl":"${left[0]}"`))).toBeDefined());
    // Listed in the status with the server's refusal, to be tried again.
    expect(first.failedMessages).toEqual([{ uidl: left[0], attempts: 1, givenUp: false, at: expect.any(String), error: expect.stringMatching(/^RETR \d+: -ERR .*\(attempt 1 of 5\)$/) }]);

    await chmod(await messageFile({ username: 'popunreadable', subject: 'message 2' }), mode & 0o777);
    const second = await runFinished(account.id, await syncNow(account.id));
    expect(second.state).toBe('idle');
    expect(second.failedMessages).toBeUndefined();
    expect(await records().countDocuments({ accountId: account.id })).toBe(3);
    expect(await records().countDocuments({ accountId: account.id, uidl: left[0] })).toBe(1);
    expect(await serverUidls('popunreadable')).toEqual([]);
  });
});

// Last in this file: it restarts the fetcher with a budget of one message per run.
describe('POP3 newest first with order detection (rule 20)', () => {
  /** The server's UIDLs in the order the fetcher stored them (one run at a time, one message each). */
  const fetchOrder = async (accountId: string): Promise<string[]> => (await records().find({ accountId }).sort({ fetchedAt: 1 }).toArray()).map(({ uidl }) => uidl!);

  beforeAll(async () => {
    await system.restart('fetcher', { FETCH_MAX_MESSAGES_PER_RUN: '1' });
  }, 60_000);

  it.each([
    ['oldest first (the usual order)', 'popascending', (n: number) => `Sun, ${10 + n} Oct 2026 10:00:00 +0000`, [3, 2, 1]],
    ['newest first', 'popdescending', (n: number) => `Sun, ${20 - n} Oct 2026 10:00:00 +0000`, [1, 2, 3]],
  ])('should fetch the newest message first from a server that lists %s when the budget cuts the run', async (_case, username, date, expected) => {
    await mailUser({ username, count: 3, date });
    const onServer = await serverUidls(username);
    const account = await createAccount(username, { leaveOnServer: true });
    const order = await expectEventually(
      async () => {
        const stored = await fetchOrder(account.id);
        expect(stored).toHaveLength(3);
        return stored;
      },
      { timeoutMs: 30_000 },
    );
    expect(order).toEqual(expected.map((n) => onServer[n - 1]));
  });
});

// After the budget test: it restarts the fetcher without a periodic scheduler tick.
describe('a backlog alone on a replica', () => {
  beforeAll(async () => {
    // The periodic tick never comes during the test: only the end of a run can start the next one.
    await system.restart('fetcher', { FETCH_MAX_MESSAGES_PER_RUN: '1', SCHEDULER_TICK_MS: '600000' });
  }, 60_000);

  it('should run again as soon as a run stops at its budget when no other account is due', async () => {
    await mailUser({ username: 'popbacklog', count: 4 });
    const account = await createAccount('popbacklog', { leaveOnServer: true });

    await expectEventually(async () => expect(await records().countDocuments({ accountId: account.id })).toBe(4), { timeoutMs: 20_000 });
    // The last run found nothing more: the account waits for its interval.
    await expectEventually(async () => {
      const status = (await system.api<SyncStatusView>('GET', `/v1/accounts/${account.id}/status`)).body;
      expect(Date.parse(status.nextRunAt ?? '0') - Date.now(), JSON.stringify(status)).toBeGreaterThan(60_000);
    });
  });
});
