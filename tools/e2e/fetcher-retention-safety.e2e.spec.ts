import { fromBinary } from '@bufbuild/protobuf';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, MessageFetchedSchema, type AccountView, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, appendMessage } from '@mailbus/testing';
import { accountRuns } from './account-runs';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * IMAP deleteAfterDays against real Dovecot may delete on the server only what the fetcher stored, and
 * counts from when it first stored it (rule 14), never from INTERNALDATE alone: a folder named in
 * another case than LIST names it, a backlog larger than one run's budget, a cursor moved past
 * messages that were never stored, and an old message that arrives today. Messages the sync did not
 * store again because they are stored already (a folder rebuilt with a new UIDVALIDITY; the same
 * message in a second synced folder, Gmail-like through Dovecot's \All folder) go deleteAfterDays
 * after the message was first stored (a rebuild) or arrived in the folder (another folder's record),
 * only when their bytes are the stored message's (Dovecot has no X-GM-MSGID, so each such link is a
 * guess by Message-ID and size), and the link that says so is no stored message: no record, no event.
 * IDLE is off, so that every run here is one the test asked for or a backlog's continuation.
 */
let system: System;
let owner: UserView;
let mongo: MongoClient;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  system = await startSystem({
    services: ['api', 'account-registry', 'fetcher'],
    stack: { mail: true },
    env: { SCHEDULER_TICK_MS: '200', FETCH_MAX_MESSAGES_PER_RUN: '2', FETCH_HOST_CONNECTION_CAP: '20', FETCH_IDLE_CONNECTIONS: '0' },
  });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['retention-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const { settled, syncNow } = accountRuns(() => system);

const dovecot = () => system.stack.dovecot!;
const message = (n: number, user: string, body = `Body ${n}`) => `From: sender@example.com\r\nTo: ${user}@example.com\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${user}@example.com>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
const messageId = (n: number, user: string) => `m${n}.${user}@example.com`;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const fetchRecords = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; accountId: string; folder: string; uid: number; uidValidity?: number; messageIdHeader?: string; fetchedAt: Date }>('fetched_messages');
const storedIds = async (accountId: string) => (await fetchRecords().find({ accountId }).toArray()).map(({ folder, messageIdHeader }) => `${folder}:${messageIdHeader}`).sort();
const storedUids = async (accountId: string) => (await fetchRecords().find({ accountId }).toArray()).map(({ uid }) => uid).sort((a, b) => a - b);
const serverCount = async (username: string, folder: string): Promise<number> => Number(/messages=(\d+)/.exec(await dovecot().doveadm(['mailbox', 'status', '-u', username, 'messages', folder]))?.[1]);
const status = async (accountId: string) => (await system.api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;

/** The Message-IDs in a folder on the server, sorted. */
const onServer = async (username: string, folder: string): Promise<string[]> =>
  [...(await dovecot().doveadm(['fetch', '-u', username, 'hdr.message-id', 'mailbox', folder])).matchAll(/<([^>]+)>/g)].map(([, id]) => id!).sort();
const fetchedEvents = async (accountId: string) =>
  (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageFetched.subject })).map((event) => fromBinary(MessageFetchedSchema, event.data)).filter((event) => event.accountId === accountId);
/** Makes the fetcher believe these messages (of the given UIDVALIDITY, if one is given) were first stored ten days ago. */
const storedTenDaysAgo = async ({ accountId, ids, uidValidity }: { accountId: string; ids: string[]; uidValidity?: number }) => {
  const { modifiedCount } = await fetchRecords().updateMany({ accountId, messageIdHeader: { $in: ids }, ...(uidValidity ? { uidValidity } : {}) }, { $set: { fetchedAt: daysAgo(10) } });
  expect(modifiedCount).toBe(ids.length);
};

const links = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; accountId: string; folder: string; uid: number; linkedAt: Date; bytesDifferAt?: Date }>('relinked_messages');
/** Makes the fetcher believe the sync linked this many messages of a folder to their records `days` ago. */
const linkedDaysAgo = async ({ accountId, folder, days, count }: { accountId: string; folder: string; days: number; count: number }) => {
  const { modifiedCount } = await links().updateMany({ accountId, folder }, { $set: { linkedAt: daysAgo(days) } });
  expect(modifiedCount).toBe(count);
};

async function createAccount(username: string, receive: Record<string, unknown>): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: dovecot().imapsPort, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('IMAP retention in synced folders', () => {
  it('should delete nothing of a backlog in a folder configured as "inbox" until each message was stored deleteAfterDays ago', async () => {
    const user = 'retaincase';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2, 3, 4, 5]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(60) });
    const created = Date.now();
    // Lower case: imapflow opens INBOX, LIST names it INBOX; five messages at two per run take three runs.
    const account = await createAccount(user, { folders: ['inbox'], deleteAfterDays: 1 });

    const done = await settled(account.id, created);
    // Three runs: retention ran twice while older messages still waited to be fetched.
    expect(done.lastRun).toMatchObject({ fetched: 1, more: false });
    expect(await storedUids(account.id)).toEqual([1, 2, 3, 4, 5]);
    // Stored today: nothing has been kept a day yet, however old its INTERNALDATE.
    expect(await serverCount(user, 'INBOX')).toBe(5);

    // Two of them first stored ten days ago: those, and only those, go.
    await fetchRecords().updateMany({ accountId: account.id, uid: { $in: [1, 2] } }, { $set: { fetchedAt: daysAgo(10) } });
    await settled(account.id, await syncNow(account.id));
    expect(await serverCount(user, 'INBOX')).toBe(3);
    expect(await storedUids(account.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('should keep messages the cursor passed without storing them, and an old message first stored today', async () => {
    const user = 'retaincursor';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    const account = await createAccount(user, { folders: ['INBOX'], deleteAfterDays: 1 });
    await settled(account.id, Date.now() - 1_000);

    // An admin moves the cursor past UIDs 1-3 before they arrive: they are never fetched.
    const moved = await system.api<SyncStatusView>('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'INBOX', lastUid: 3 }] } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(60) });
    // A years-old message moved into INBOX today.
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(4, user), date: daysAgo(900) });
    await settled(account.id, await syncNow(account.id));

    expect(await storedUids(account.id)).toEqual([4]);
    expect(await serverCount(user, 'INBOX')).toBe(4);
    expect((await status(account.id)).lastRun).toMatchObject({ fetched: 1, failedFolders: 0 });
  });

  it('should still delete by INTERNALDATE in a Junk folder that is not synced', async () => {
    const user = 'retainjunk';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Junk', raw: message(1, user), date: daysAgo(60) });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Junk', raw: message(2, user), date: daysAgo(0) });
    const created = Date.now();
    const account = await createAccount(user, { folders: ['INBOX'], deleteAfterDays: 1 });

    await settled(account.id, created);
    expect(await serverCount(user, 'Junk')).toBe(1);
    expect(await storedUids(account.id)).toEqual([]);
  });
});

describe('IMAP retention of relinked messages', () => {
  it('should delete a rebuilt folder’s copy deleteAfterDays after its message was first stored, and keep what only resembles a stored message', async () => {
    const user = 'relinkrebuilt';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2, 3]) await appendMessage({ dovecot: dovecot(), username: user, folder: 'Sent', raw: message(n, user), date: daysAgo(60) });
    const created = Date.now();
    const account = await createAccount(user, { folders: ['INBOX', 'Sent'], deleteAfterDays: 1 });
    const uidValidity = (await settled(account.id, created)).folders.find(({ path }) => path === 'Sent')?.uidValidity;
    expect(uidValidity).toBeGreaterThan(0);
    expect(await storedIds(account.id)).toEqual([1, 2, 3].map((n) => `Sent:${messageId(n, user)}`));

    // Sent is rebuilt: the same three messages under a new UIDVALIDITY, a fourth, and a message with
    // the Message-ID of the first but another body (not the same message: stored, not relinked).
    await dovecot().doveadm(['mailbox', 'delete', '-u', user, 'Sent']);
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'Sent']);
    for (const n of [1, 2, 3, 4]) await appendMessage({ dovecot: dovecot(), username: user, folder: 'Sent', raw: message(n, user), date: daysAgo(60) });
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'Sent', raw: message(1, user, 'Another body, not the same message'), date: daysAgo(60) });
    const rebuilt = await settled(account.id, await syncNow(account.id));
    const rebuiltSent = rebuilt.folders.find(({ path }) => path === 'Sent');
    expect(rebuiltSent?.lastUid).toBe(5);
    expect(rebuiltSent?.uidValidity).not.toBe(uidValidity);
    // Nothing of it was stored deleteAfterDays ago yet, however old its INTERNALDATE.
    expect(await onServer(user, 'Sent')).toHaveLength(5);
    expect(await storedIds(account.id)).toEqual([`Sent:${messageId(1, user)}`, ...[1, 2, 3, 4].map((n) => `Sent:${messageId(n, user)}`)]);

    // The first two were first stored ten days ago, before the rebuild: their rebuilt copies go.
    await storedTenDaysAgo({ accountId: account.id, ids: [messageId(1, user), messageId(2, user)], uidValidity });
    const afterRetention = await settled(account.id, await syncNow(account.id));

    // Left: the third (first stored today), the fourth, and the look-alike of the first (stored today as itself).
    expect(await onServer(user, 'Sent')).toEqual([1, 3, 4].map((n) => messageId(n, user)));
    expect(await storedIds(account.id)).toHaveLength(5);
    expect(afterRetention.fetchedTotal).toBe(5);
    expect(await fetchedEvents(account.id)).toHaveLength(5);
  });

  it('should delete a rebuilt folder’s true copy and keep a look-alike with the same Message-ID and size that was relinked to the same record', async () => {
    const user = 'relinklookalike';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    for (const n of [1, 2]) await appendMessage({ dovecot: dovecot(), username: user, folder: 'Sent', raw: message(n, user), date: daysAgo(60) });
    const created = Date.now();
    const account = await createAccount(user, { folders: ['INBOX', 'Sent'], deleteAfterDays: 1 });
    const uidValidity = (await settled(account.id, created)).folders.find(({ path }) => path === 'Sent')?.uidValidity;
    expect(await storedIds(account.id)).toEqual([1, 2].map((n) => `Sent:${messageId(n, user)}`));

    // Sent is rebuilt: a look-alike of the first (its Message-ID, as many bytes, one letter changed:
    // a resend, another recipient's multidrop copy), then the true copies of both.
    const lookAlike = message(1, user, 'Bodz 1');
    expect(lookAlike.length).toBe(message(1, user).length);
    await dovecot().doveadm(['mailbox', 'delete', '-u', user, 'Sent']);
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'Sent']);
    for (const raw of [lookAlike, message(1, user), message(2, user)]) await appendMessage({ dovecot: dovecot(), username: user, folder: 'Sent', raw, date: daysAgo(60) });
    await settled(account.id, await syncNow(account.id));
    // Matched by Message-ID and size, all three are taken for stored and linked; nothing new is stored.
    expect(await links().countDocuments({ accountId: account.id, folder: 'Sent' })).toBe(3);
    expect(await storedIds(account.id)).toHaveLength(2);

    await storedTenDaysAgo({ accountId: account.id, ids: [messageId(1, user), messageId(2, user)], uidValidity });
    await settled(account.id, await syncNow(account.id));

    // The true copies went; the look-alike (never stored) stays, and its link is marked so that later runs leave it.
    expect(await onServer(user, 'Sent')).toEqual([messageId(1, user)]);
    expect(await dovecot().doveadm(['fetch', '-u', user, 'body', 'mailbox', 'Sent'])).toContain('Bodz 1');
    // Downloaded to be checked, but with BODY.PEEK: still unread (rule 16).
    expect(await dovecot().doveadm(['fetch', '-u', user, 'flags', 'mailbox', 'Sent'])).not.toContain('\\Seen');
    expect(await links().find({ accountId: account.id, bytesDifferAt: { $exists: true } }).map(({ uid }) => uid).toArray()).toEqual([1]);
    await settled(account.id, await syncNow(account.id));
    expect(await onServer(user, 'Sent')).toEqual([messageId(1, user)]);
    expect(await storedIds(account.id)).toHaveLength(2);
    expect(await fetchedEvents(account.id)).toHaveLength(2);
  });

  it('should keep a message moved into INBOX today, first stored from All Mail ten days ago, until deleteAfterDays after it arrived in INBOX', async () => {
    const user = 'relinkmoved';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'All Mail']);
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'All Mail', raw: message(1, user), date: daysAgo(60) });
    const created = Date.now();
    const account = await createAccount(user, { folders: ['All Mail', 'INBOX'], deleteAfterDays: 1 });
    await settled(account.id, created);
    expect(await storedIds(account.id)).toEqual([`All Mail:${messageId(1, user)}`]);
    await storedTenDaysAgo({ accountId: account.id, ids: [messageId(1, user)] });

    // The user moves it back into INBOX today: the INBOX sync links it to the All Mail record, and the
    // retention step of the same run must not expunge it (it has been in INBOX for minutes).
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(1, user), date: daysAgo(60) });
    await settled(account.id, await syncNow(account.id));
    expect(await links().countDocuments({ accountId: account.id, folder: 'INBOX' })).toBe(1);
    expect(await onServer(user, 'INBOX')).toEqual([messageId(1, user)]);

    // Two days after the link, it goes from INBOX; All Mail and the store keep it.
    await linkedDaysAgo({ accountId: account.id, folder: 'INBOX', days: 2, count: 1 });
    await settled(account.id, await syncNow(account.id));
    expect(await onServer(user, 'INBOX')).toEqual([]);
    expect(await onServer(user, 'All Mail')).toEqual([messageId(1, user)]);
    expect(await storedIds(account.id)).toEqual([`All Mail:${messageId(1, user)}`]);
    expect(await fetchedEvents(account.id)).toHaveLength(1);
  });

  it('should delete the INBOX copy of a message stored from another synced folder (Gmail labels) deleteAfterDays after it was stored there and linked', async () => {
    const user = 'relinklabels';
    await dovecot().addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await dovecot().doveadm(['mailbox', 'create', '-u', user, 'All Mail']);
    for (const n of [1, 2]) {
      await appendMessage({ dovecot: dovecot(), username: user, folder: 'All Mail', raw: message(n, user), date: daysAgo(60) });
      await appendMessage({ dovecot: dovecot(), username: user, raw: message(n, user), date: daysAgo(60) });
    }
    await appendMessage({ dovecot: dovecot(), username: user, folder: 'All Mail', raw: message(3, user), date: daysAgo(60) });
    await appendMessage({ dovecot: dovecot(), username: user, raw: message(3, user), date: daysAgo(60) });
    const created = Date.now();
    // All Mail first: the INBOX copies are found stored (under All Mail) and not stored again.
    const account = await createAccount(user, { folders: ['All Mail', 'INBOX'], deleteAfterDays: 1 });
    await settled(account.id, created);
    expect(await storedIds(account.id)).toEqual([1, 2, 3].map((n) => `All Mail:${messageId(n, user)}`));
    expect(await onServer(user, 'INBOX')).toHaveLength(3);

    // All three linked ten days ago; the first two also stored then, the third stored today.
    await storedTenDaysAgo({ accountId: account.id, ids: [messageId(1, user), messageId(2, user)] });
    await linkedDaysAgo({ accountId: account.id, folder: 'INBOX', days: 10, count: 3 });
    const afterRetention = await settled(account.id, await syncNow(account.id));

    expect(await onServer(user, 'INBOX')).toEqual([messageId(3, user)]);
    // All Mail is no retention folder; the store lost nothing and gained nothing.
    expect(await onServer(user, 'All Mail')).toEqual([1, 2, 3].map((n) => messageId(n, user)));
    expect(await storedIds(account.id)).toEqual([1, 2, 3].map((n) => `All Mail:${messageId(n, user)}`));
    expect(afterRetention.fetchedTotal).toBe(3);
    expect(await fetchedEvents(account.id)).toHaveLength(3);
  });
});
