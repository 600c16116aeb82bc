import { fromBinary } from '@bufbuild/protobuf';
import { chmod, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, MessageFetchedSchema, type AccountView, type MessageFetched, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { accountRuns } from './account-runs';
import { startSystem, type System } from './system';

/**
 * The IMAP fetcher's harder cases against real Dovecot: the first sync's order and window, retention
 * on the server, a folder whose UIDVALIDITY keeps changing, a message the server cannot send,
 * and Gmail-style labels. A budget of two messages per run makes every backlog take several runs.
 */
let system: System;
let owner: UserView;
let mongo: MongoClient;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200', FETCH_MAX_MESSAGES_PER_RUN: '2', FETCH_HOST_CONNECTION_CAP: '20' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['imap-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const { settled, syncNow } = accountRuns(() => system);

const dovecot = () => system.stack.dovecot!;
const message = (n: number, user: string) => `From: sender@example.com\r\nTo: ${user}@example.com\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${user}@example.com>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nBody ${n}\r\n`;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

async function createAccount(username: string, receive: Record<string, unknown>): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: dovecot().imapsPort, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const status = async (accountId: string) => (await system.api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;

async function fetchedEvents(accountId: string): Promise<MessageFetched[]> {
  return (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageFetched.subject })).map((event) => fromBinary(MessageFetchedSchema, event.data)).filter((event) => event.accountId === accountId);
}

const records = (accountId: string) => mongo.db(system.env.MONGODB_DB).collection('fetched_messages').find({ accountId }).toArray();

const serverCount = async (username: string, folder: string): Promise<number> => Number(/messages=(\d+)/.exec(await dovecot().doveadm(['mailbox', 'status', '-u', username, 'messages', folder]))?.[1]);

describe('first sync', () => {
  it('should fetch the backlog newest first, only the last onlySinceDays days, and new mail after it', async () => {
    const user = 'imapsince';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(100) });
    for (const n of [4, 5, 6]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(1) });
    const created = Date.now();
    const account = await createAccount(user, { onlySinceDays: 30 });

    const done = await settled(account.id, created);
    // Two per run (the budget): the newest two first, in either order (a run stores them concurrently), then the third.
    const firstSync = (await fetchedEvents(account.id)).map((event) => event.uid);
    expect([firstSync.slice(0, 2).sort(), firstSync.slice(2)]).toEqual([[5, 6], [4]]);
    expect(done.folders[0]).toMatchObject({ path: 'INBOX', lastUid: 6 });
    expect(done.folders[0]?.backfillBelowUid).toBeUndefined();
    expect(done).toMatchObject({ fetchedTotal: 3, lastRun: { fetched: 1, skippedMessages: 0, failedFolders: 0, more: false } });

    await appendMessage({ dovecot: dovecot(), username: user, raw: message(7, user) });
    await settled(account.id, await syncNow(account.id));
    expect((await fetchedEvents(account.id)).map((event) => event.uid).slice(3)).toEqual([7]);
    expect(await serverCount(user, 'INBOX')).toBe(7);
  });
});

describe('retention', () => {
  it('should delete messages older than deleteAfterDays in Junk, keep INBOX messages until deleteAfterDays after storing them, and leave other folders alone', async () => {
    const user = 'imapretain';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(60) });
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(3, user), date: daysAgo(2) });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Junk', raw: message(4, user), date: daysAgo(60) });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Junk', raw: message(5, user), date: daysAgo(2) });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Trash', raw: message(6, user), date: daysAgo(60) });
    const created = Date.now();
    const account = await createAccount(user, { deleteAfterDays: 30 });

    await settled(account.id, created);
    // Stored first (INBOX is synced), then deleted on the server: nothing lost.
    expect((await records(account.id)).map((record) => record.messageIdHeader).sort()).toEqual([1, 2, 3].map((n) => `m${n}.${user}@example.com`));
    // Kept deleteAfterDays from when they were first stored (rule 14), not from INTERNALDATE: none goes yet.
    expect(await serverCount(user, 'INBOX')).toBe(3);
    expect(await serverCount(user, 'Junk')).toBe(1);
    expect(await serverCount(user, 'Trash')).toBe(1);
  });
});

describe('UIDVALIDITY', () => {
  const recreate = async (user: string, messages: number[]) => {
    await dovecot().doveadm(['mailbox', 'delete', '-u', user, 'Projects']);
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    for (const n of messages) await appendMessage({ dovecot: dovecot(), username: user, folder: 'Projects', raw: message(n, user) });
  };

  it('should park a folder whose UIDVALIDITY keeps changing, keep syncing the others, and resume when an admin sets the checkpoint', async () => {
    const user = 'imapflap';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Projects', raw: message(1, user) });
    const account = await createAccount(user, { folders: ['INBOX', 'Projects'] });
    await settled(account.id, Date.now() - 1_000);

    await recreate(user, [1, 2]);
    await settled(account.id, await syncNow(account.id));
    await recreate(user, [1, 2]);
    await settled(account.id, await syncNow(account.id));
    expect((await status(account.id)).folders.find(({ path }) => path === 'Projects')?.parked).toBeUndefined();
    await recreate(user, [1, 2, 3]);
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(10, user) });
    const parked = await settled(account.id, await syncNow(account.id));

    expect(parked.folders.find(({ path }) => path === 'Projects')?.parked?.reason).toMatch(/UIDVALIDITY changed 3 times/);
    // INBOX went on; the parked folder's new message waits.
    expect((await fetchedEvents(account.id)).map((event) => event.messageIdHeader).sort()).toEqual([`m1.${user}@example.com`, `m10.${user}@example.com`, `m2.${user}@example.com`]);

    const resumed = await system.api<SyncStatusView>('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'Projects', lastUid: 0 }] } });
    expect(resumed.body.folders.find(({ path }) => path === 'Projects')?.parked).toBeUndefined();
    await settled(account.id, await syncNow(account.id));
    expect((await records(account.id)).map((record) => record.messageIdHeader).sort()).toEqual([1, 10, 2, 3].map((n) => `m${n}.${user}@example.com`));
  });
});

describe('a message the server cannot send', () => {
  /** One run, started by hand (runs that failed would otherwise wait for their backoff). */
  async function runOnce(accountId: string): Promise<SyncStatusView> {
    const requested = await syncNow(accountId);
    return expectEventually(async () => {
      const current = await status(accountId);
      const finished = Math.max(Date.parse(current.lastSuccessAt ?? '0'), current.error ? Date.parse(current.error.at) : 0);
      expect(finished).toBeGreaterThanOrEqual(requested);
      expect(current.state).not.toBe('syncing');
      return current;
    });
  }

  it('should find the message on which the server hangs up, give it up after two tries alone, and store all the others', async () => {
    const user = 'imapunreadable';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user) });
    const files = (await Promise.all(['cur', 'new'].map(async (dir) => (await readdir(join(dovecot().mailDir(user), dir))).map((file) => join(dovecot().mailDir(user), dir, file))))).flat();
    const contents = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    const unreadable = files[contents.findIndex((content) => content.includes(`<m2.${user}@example.com>`))];
    expect(unreadable).toBeDefined();
    // Dovecot cannot open the file, logs an internal error and drops the connection, every time.
    await chmod(unreadable!, 0o000);
    const account = await createAccount(user, { folders: ['INBOX'] });

    let current = await runOnce(account.id);
    for (let run = 0; run < 6 && !(current.state === 'idle' && current.folders[0]?.backfillBelowUid === undefined); run += 1) current = await runOnce(account.id);
    expect(current.state).toBe('idle');
    expect(current.folders[0]?.failedMessages).toEqual([expect.objectContaining({ uid: 2, error: expect.stringMatching(/dropped the connection each time it sent UID 2/) })]);
    expect(current.folders[0]?.failedMessageCount).toBe(1);
    expect((await records(account.id)).map((record) => record.uid).sort()).toEqual([1, 3]);

    await appendMessage({ dovecot: dovecot(), username: user, raw: message(4, user) });
    await runOnce(account.id);
    expect((await records(account.id)).map((record) => record.uid).sort()).toEqual([1, 3, 4]);
    expect((await fetchedEvents(account.id)).map((event) => event.uid).sort()).toEqual([1, 3, 4]);
    await chmod(unreadable!, 0o600);
  });
});

describe('Gmail labels', () => {
  it('should store a message that is in INBOX and in \\All once', async () => {
    const user = 'imapgmail';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'All Mail']);
    for (const n of [1, 2]) {
      await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user) });
      await appendMessage({ dovecot: dovecot(), username: user, folder: 'All Mail', raw: message(n, user) });
    }
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'All Mail', raw: message(3, user) });
    const account = await createAccount(user, { folders: ['INBOX', 'All Mail'] });

    await settled(account.id, Date.now() - 1_000);
    expect((await records(account.id)).map((record) => record.messageIdHeader).sort()).toEqual([1, 2, 3].map((n) => `m${n}.${user}@example.com`));
    expect(await fetchedEvents(account.id)).toHaveLength(3);
  });
});

describe('IDLE', () => {
  it('should fetch new mail as soon as it arrives, not at the next poll an hour later', async () => {
    const user = 'imapidle';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    const account = await createAccount(user, {});
    await settled(account.id, Date.now() - 1_000);
    const watched = await expectEventually(async () => {
      const current = await status(account.id);
      expect(current.idleSince).toBeDefined();
      return current;
    });

    await appendMessage({ dovecot: dovecot(), username: user, raw: message(1, user) });
    await expectEventually(async () => expect((await records(account.id)).map((record) => record.uid)).toEqual([1]), { timeoutMs: 10_000 });
    // Nobody asked for a run and the next poll is an hour away: IDLE brought it in.
    expect(Date.parse(watched.nextRunAt ?? '0') - Date.now()).toBeGreaterThan(30 * 60_000);
    expect((await fetchedEvents(account.id)).map((event) => event.uid)).toEqual([1]);
  });
});

describe('folders that do not work', () => {
  it('should report a run in which every folder failed as an error, and one in which some worked as a success', async () => {
    const user = 'imapnofolder';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(1, user) });
    const none = await createAccount(user, { folders: ['Nowhere'] });
    const failed = await expectEventually(async () => {
      const current = await status(none.id);
      expect(current.state).toBe('error');
      return current;
    });
    expect(failed.error).toMatchObject({ class: 'protocol', message: expect.stringMatching(/every folder failed: Nowhere: /) });

    const some = await system.api<AccountView>('POST', '/v1/accounts', {
      body: { name: 'some', email: 'imapnofolder-some@example.com', owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: dovecot().imapsPort, security: 'tls', username: user, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, folders: ['Nowhere', 'INBOX'] } },
    });
    const worked = await settled(some.body.id, Date.now() - 1_000);
    expect(worked.error).toBeUndefined();
    expect((await records(some.body.id)).map((record) => record.uid)).toEqual([1]);
  });
});
