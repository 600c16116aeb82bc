import { fromBinary } from '@bufbuild/protobuf';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, SpamMarkedSchema, SpamMovedSchema, SpamMoveResult, MessageDeletedSchema, DeleteScope, type AccountView, type MessageDeletionView, type MessagePageView, type MessageSummaryView, type MessageView, type SpamMarkView, type SpamMoved, type UserView } from '@mailbus/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually, startDovecot, type RunningDovecot } from '@mailbus/testing';
import { Pop3Client } from '@mailbus/mail-clients';
import { startCountingProxy } from './counting-proxy';
import { accountRuns } from './account-runs';
import { consumerCaughtUp, readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * Write-back end to end against Dovecot: spam marks move the message into the server's Junk folder
 * and back (spam-feedback), a synced Junk folder does not turn the moved copy into a second message,
 * and deletions reach the server once every user deleted their delivery (IMAP and POP3 leave-on-server).
 */
let system: System;
let mongo: MongoClient;
let anna: UserView;
let ben: UserView;

const dovecot = () => system.stack.dovecot!;
const { syncNow, runFinished } = accountRuns(() => system);

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher', 'message-router', 'spam-feedback'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200', FETCH_HOST_CONNECTION_CAP: '20', HOST_CONNECTION_CAP: '20' } });
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
  const create = async (name: string, addresses: string[]): Promise<UserView> => (await system.api<UserView>('POST', '/v1/users', { body: { displayName: name, addresses } })).body;
  anna = await create('Anna', ['anna@example.com']);
  ben = await create('Ben', ['ben@example.com']);
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

async function createAccount({ username, protocol, receive = {} }: { username: string; protocol: 'imap' | 'pop3'; receive?: Record<string, unknown> }): Promise<AccountView> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
  const port = protocol === 'imap' ? dovecot().imapsPort : dovecot().pop3sPort;
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [anna.id], receive: { protocol, host: '127.0.0.1', port, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const mail = ({ subject, to = 'anna@example.com' }: { subject: string; to?: string }): string =>
  `From: Shop <offers@shop.example>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@shop.example>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nBuy now.\r\n`;

const folder = async (userId: string, name: string): Promise<MessageSummaryView[]> => (await system.api<MessagePageView>('GET', `/v1/users/${userId}/messages?folder=${name}&limit=200`, { token: system.tokens.app })).body.messages;

/**
 * Waits until the delivery is listed and its message.delivered is out. The second half matters on
 * FerretDB 1.x only: it applies an update as a rewrite of the whole document, so the router marking
 * the delivery published while the test moves it (spam, trash) could undo the move. MongoDB updates
 * fields in place.
 */
const delivered = (userId: string, name: string, subject: string): Promise<MessageSummaryView> =>
  expectEventually(
    async () => {
      const found = (await folder(userId, name)).find((message) => message.subject === subject);
      expect(found, `${subject} in ${name}`).toBeDefined();
      expect(await mongo.db(system.env.MONGODB_DB).collection('deliveries').findOne({ _id: found!.deliveryId as never })).toMatchObject({ published: true });
      return found!;
    },
    { timeoutMs: 60_000 },
  );

/** UIDs of messages with this Message-ID in a server folder, read with doveadm. */
async function uidsOnServer({ username, mailbox, messageId }: { username: string; mailbox: string; messageId: string }): Promise<number[]> {
  const out = await dovecot().doveadm(['search', '-u', username, 'mailbox', mailbox, 'header', 'Message-ID', messageId]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.trim().split(/\s+/)[1]));
}

/** A multidrop mailbox that keeps one copy of a mail per envelope recipient, each with its own Delivered-To. */
async function appendCopyPerRecipient({ username, subject, messageIdHeader, recipients }: { username: string; subject: string; messageIdHeader: string; recipients: string[] }): Promise<void> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
  for (const to of recipients) {
    const raw = `Delivered-To: ${to}\r\nFrom: Shop <offers@shop.example>\r\nTo: team@example.com\r\nSubject: ${subject}\r\nMessage-ID: ${messageIdHeader}\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nBuy now.\r\n`;
    await appendMessage({ dovecot: dovecot(), username, raw });
  }
}

const spamMoved = async (requestId: string): Promise<SpamMoved> =>
  expectEventually(
    async () => {
      const found = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.spamMoved.subject })).map((event) => fromBinary(SpamMovedSchema, event.data)).find((event) => event.requestId === requestId);
      expect(found, `spam.moved for ${requestId}`).toBeDefined();
      return found!;
    },
    { timeoutMs: 60_000 },
  );

const sync = async (accountId: string): Promise<void> => {
  const response = await system.api('POST', `/v1/accounts/${accountId}/sync`);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
};

describe('spam marks on an IMAP account that also syncs its Junk folder', () => {
  it('should move the message to Junk with its new UID, change nothing the second time, bring it back on not-spam, and never make a second message of the moved copy', async () => {
    const username = 'spamimap';
    const subject = 'Cheap watches';
    const messageIdHeader = '<Cheapwatches@shop.example>';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject }) });
    const account = await createAccount({ username, protocol: 'imap', receive: { folders: ['INBOX', 'Junk'] } });
    const inInbox = await delivered(anna.id, 'inbox', subject);
    const [inboxUid] = await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader });
    expect(inboxUid).toBeGreaterThan(0);

    const marked = await system.api<SpamMarkView>('POST', `/v1/messages/${inInbox.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } });
    expect(marked.status, JSON.stringify(marked.body)).toBe(202);
    expect(marked.body).toMatchObject({ folder: 'spam', spam: true });
    expect((await folder(anna.id, 'spam')).map(({ subject: s }) => s)).toContain(subject);
    const moved = await spamMoved(marked.body.requestId);
    expect(moved).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'INBOX', toFolder: 'Junk', spam: true });
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toEqual([]);
    expect(await uidsOnServer({ username, mailbox: 'Junk', messageId: messageIdHeader })).toEqual([moved.newUid]);
    await expectEventually(async () => {
      const message = (await system.api<MessageView>('GET', `/v1/messages/${inInbox.id}`, { token: system.tokens.app })).body;
      expect(message.source).toMatchObject({ folder: 'Junk', uid: moved.newUid, uidValidity: moved.newUidValidity });
    });
    const flags = await dovecot().doveadm(['fetch', '-u', username, 'flags', 'mailbox', 'Junk', 'uid', String(moved.newUid)]);
    expect(flags).toContain('$Junk');

    // The fetcher syncs Junk and fetches the moved copy: still one message record, one delivery, in spam.
    await sync(account.id);
    await expectEventually(async () => {
      const fetched = await mongo.db(system.env.MONGODB_DB).collection('fetched_messages').countDocuments({ accountId: account.id, folder: 'Junk' });
      expect(fetched).toBe(1);
    });
    await expectEventually(async () => {
      const routed = await mongo.db(system.env.MONGODB_DB).collection('messages').countDocuments({ accountId: account.id, messageIdHeader });
      expect(routed).toBe(1);
      expect(await mongo.db(system.env.MONGODB_DB).collection('deliveries').countDocuments({ accountId: account.id, userId: anna.id })).toBe(1);
    });
    expect((await folder(anna.id, 'spam')).filter(({ subject: s }) => s === subject)).toHaveLength(1);

    const again = await system.api<SpamMarkView>('POST', `/v1/messages/${inInbox.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } });
    expect(again.status).toBe(202);
    expect(await spamMoved(again.body.requestId)).toMatchObject({ result: SpamMoveResult.SKIPPED, toFolder: 'Junk', newUid: moved.newUid });
    expect(await uidsOnServer({ username, mailbox: 'Junk', messageId: messageIdHeader })).toEqual([moved.newUid]);

    const back = await system.api<SpamMarkView>('POST', `/v1/messages/${inInbox.id}/not-spam`, { token: system.tokens.app, body: { userId: anna.id } });
    expect(back.status).toBe(202);
    expect(back.body).toMatchObject({ folder: 'inbox', spam: false });
    const returned = await spamMoved(back.body.requestId);
    expect(returned).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'Junk', toFolder: 'INBOX', spam: false });
    expect(await uidsOnServer({ username, mailbox: 'Junk', messageId: messageIdHeader })).toEqual([]);
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toEqual([returned.newUid]);
    expect((await folder(anna.id, 'inbox')).map(({ subject: s }) => s)).toContain(subject);

    const events = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.spamMarked.subject })).map((event) => fromBinary(SpamMarkedSchema, event.data)).filter((event) => event.accountId === account.id);
    expect(events.map(({ spam }) => spam)).toEqual([true, true, false]);
  });

  it('should find a message that another client moved meanwhile by its Message-ID', async () => {
    const username = 'spammoved';
    const subject = 'Moved elsewhere';
    const messageIdHeader = '<Movedelsewhere@shop.example>';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject }) });
    await createAccount({ username, protocol: 'imap' });
    const message = await delivered(anna.id, 'inbox', subject);
    await dovecot().doveadm(['move', '-u', username, 'Archive', 'mailbox', 'INBOX', 'header', 'Message-ID', messageIdHeader]);

    const marked = await system.api<SpamMarkView>('POST', `/v1/messages/${message.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } });
    // Archive is not a synced folder: the message is looked for by Message-ID in INBOX, the synced folders and Junk.
    const answer = await spamMoved(marked.body.requestId);
    expect(answer.result).toBe(SpamMoveResult.SKIPPED);
    expect(answer.reason).toMatch(/not found|no message/i);
    expect(await uidsOnServer({ username, mailbox: 'Archive', messageId: messageIdHeader })).toHaveLength(1);
  });

  it('should move a burst of spam marks of one account over one login', async () => {
    const keptConnections = async (): Promise<number> =>
      Number(/^mailbus_kept_imap_connections(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${system.port('spam-feedback')}/metrics`)).text())?.[1]);
    const username = 'spamburst';
    const subjects = ['Burst one', 'Burst two', 'Burst three'];
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    for (const subject of subjects) await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject }) });
    const imap = await startCountingProxy({ targetPort: dovecot().imapsPort });
    try {
      const account = await createAccount({ username, protocol: 'imap', receive: { port: imap.port } });
      const messages = await Promise.all(subjects.map((subject) => delivered(anna.id, 'inbox', subject)));
      // The fetcher is done with the account (no run, no IDLE): what connects now is spam-feedback.
      expect((await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { enabled: false } } })).status).toBe(200);
      await expectEventually(() => expect(imap.open).toBe(0), { timeoutMs: 20_000 });
      const before = imap.total;

      const marks = await Promise.all(messages.map((message) => system.api<SpamMarkView>('POST', `/v1/messages/${message.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } })));

      for (const mark of marks) expect((await spamMoved(mark.body.requestId)).result).toBe(SpamMoveResult.MOVED);
      expect(imap.total - before).toBe(1);
      expect(await keptConnections()).toBeGreaterThanOrEqual(1);
      for (const subject of subjects) expect(await uidsOnServer({ username, mailbox: 'Junk', messageId: `<${subject.replace(/\W/g, '')}@shop.example>` })).toHaveLength(1);
      // Closed a few seconds after the last write-back: the gauge drops when the session is let go, the
      // socket a LOGOUT later.
      await expectEventually(async () => expect(await keptConnections()).toBe(0), { timeoutMs: 20_000 });
      await expectEventually(() => expect(imap.open).toBe(0), { timeoutMs: 5_000 });
    } finally {
      await imap.close();
    }
  });

  it('should only move the delivery of a POP3 account and say that the server could not be taught', async () => {
    const username = 'spampop';
    const subject = 'Pop spam';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject }) });
    await createAccount({ username, protocol: 'pop3' });
    const message = await delivered(anna.id, 'inbox', subject);
    const marked = await system.api<SpamMarkView>('POST', `/v1/messages/${message.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } });
    expect(marked.status).toBe(202);
    expect((await spamMoved(marked.body.requestId)).reason).toMatch(/POP3/);
    expect((await folder(anna.id, 'spam')).map(({ subject: s }) => s)).toContain(subject);
  });

  it('should answer 404 for a user the message was not delivered to, and 400 for a bad message id', async () => {
    const some = (await folder(anna.id, 'inbox'))[0]!;
    expect((await system.api('POST', `/v1/messages/${some.id}/spam`, { token: system.tokens.app, body: { userId: ben.id } })).status).toBe(404);
    expect((await system.api('POST', '/v1/messages/nope/spam', { token: system.tokens.app, body: { userId: anna.id } })).status).toBe(400);
    expect((await system.api('DELETE', `/v1/messages/${some.id}`, { token: system.tokens.app })).status).toBe(400);
  });
});

describe('deletions', () => {
  it('should delete an IMAP message on the server only once every user deleted their delivery', async () => {
    const username = 'delimap';
    const subject = 'For both';
    const messageIdHeader = '<Forboth@shop.example>';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject, to: 'anna@example.com, ben@example.com' }) });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject: 'Stays', to: 'anna@example.com' }) });
    const account = await createAccount({ username, protocol: 'imap' });
    const forAnna = await delivered(anna.id, 'inbox', subject);
    await delivered(ben.id, 'inbox', subject);

    const first = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${forAnna.id}?userId=${anna.id}`, { token: system.tokens.app });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ folder: 'trash', scope: 'user' });
    expect((await folder(anna.id, 'trash')).map(({ subject: s }) => s)).toContain(subject);
    expect((await folder(anna.id, 'inbox')).map(({ subject: s }) => s)).not.toContain(subject);
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toHaveLength(1);

    const last = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${forAnna.id}?userId=${ben.id}`, { token: system.tokens.app });
    expect(last.body).toMatchObject({ scope: 'server' });
    await expectEventually(async () => expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toEqual([]), { timeoutMs: 60_000 });
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: '<Stays@shop.example>' })).toHaveLength(1);

    const repeat = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${forAnna.id}?userId=${ben.id}`, { token: system.tokens.app });
    expect(repeat.body).toMatchObject({ scope: 'server' });
    const deletions = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageDeleted.subject })).map((event) => fromBinary(MessageDeletedSchema, event.data)).filter((event) => event.accountId === account.id);
    expect(deletions.map(({ scope }) => scope)).toEqual([DeleteScope.USER, DeleteScope.SERVER]);
  });

  it('should wait for every envelope recipient of a multidrop mailbox that keeps one copy per recipient, then delete every copy', async () => {
    const username = 'delcopies';
    const messageIdHeader = '<Onecopyeach@shop.example>';
    // Four copies one after another: the router joins three of them to the first's record at the same time.
    const carl = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Carl', addresses: ['carl@example.com'] } })).body;
    const dora = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Dora', addresses: ['dora@example.com'] } })).body;
    const users = [anna, ben, carl, dora];
    await appendCopyPerRecipient({ username, subject: 'One copy each', messageIdHeader, recipients: ['anna@example.com', 'ben@example.com', 'carl@example.com', 'dora@example.com'] });
    const account = await createAccount({ username, protocol: 'imap', receive: { multidrop: { enabled: true, envelopeHeader: 'Delivered-To' } } });
    const forAnna = await delivered(anna.id, 'inbox', 'One copy each');
    for (const user of users.slice(1)) await delivered(user.id, 'inbox', 'One copy each');
    const copies = mongo.db(system.env.MONGODB_DB).collection('message_copies');
    await expectEventually(async () => expect(await copies.countDocuments({ messageId: forAnna.id })).toBe(3));

    for (const user of users.slice(0, 3)) {
      const deleted = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${forAnna.id}?userId=${user.id}`, { token: system.tokens.app });
      expect(deleted.body).toMatchObject({ scope: 'user' });
    }
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toHaveLength(4);

    const last = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${forAnna.id}?userId=${dora.id}`, { token: system.tokens.app });
    expect(last.body).toMatchObject({ scope: 'server' });
    await expectEventually(async () => expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toEqual([]), { timeoutMs: 60_000 });
    const deletions = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageDeleted.subject })).map((event) => fromBinary(MessageDeletedSchema, event.data)).filter((event) => event.accountId === account.id);
    expect(deletions.map(({ scope }) => scope)).toEqual([...Array(3).fill(DeleteScope.USER), ...Array(4).fill(DeleteScope.SERVER)]);
    expect(new Set(deletions.slice(3).map(({ location }) => location?.uid)).size).toBe(4);
  });

  it("should show each envelope recipient of a multidrop mailbox their own copy, never another recipient's, and move only theirs on a spam mark", async () => {
    const username = 'ownspamcopy';
    const messageIdHeader = '<Yourowncopy@shop.example>';
    await appendCopyPerRecipient({ username, subject: 'Your own copy', messageIdHeader, recipients: ['anna@example.com', 'ben@example.com'] });
    const account = await createAccount({ username, protocol: 'imap', receive: { folders: ['INBOX', 'Junk'], multidrop: { enabled: true, envelopeHeader: 'Delivered-To' } } });
    const forAnna = await delivered(anna.id, 'inbox', 'Your own copy');
    const forBen = await delivered(ben.id, 'inbox', 'Your own copy');
    expect(forBen.id).toBe(forAnna.id);
    const copies = mongo.db(system.env.MONGODB_DB).collection('message_copies');
    await expectEventually(async () => expect(await copies.countDocuments({ messageId: forAnna.id })).toBe(1));

    const deliveredTo = (message: MessageView): string[] => message.headers.filter(({ key }) => key === 'delivered-to').map(({ value }) => value);
    const seenBy = async (userId: string): Promise<MessageView> => (await system.api<MessageView>('GET', `/v1/messages/${forAnna.id}?userId=${userId}`, { token: system.tokens.app })).body;
    expect(deliveredTo(await seenBy(anna.id))).toEqual(['anna@example.com']);
    expect(deliveredTo(await seenBy(ben.id))).toEqual(['ben@example.com']);
    const rawFor = async (userId: string): Promise<string> => (await fetch(`${system.apiUrl}/v1/messages/${forAnna.id}/raw?userId=${userId}`, { headers: { authorization: `Bearer ${system.tokens.app}` } })).text();
    expect(await rawFor(ben.id)).toContain('Delivered-To: ben@example.com');
    expect(await rawFor(ben.id)).not.toContain('anna@example.com');
    expect(await rawFor(anna.id)).not.toContain('ben@example.com');
    const [annasUid, bensUid] = await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader });
    expect((await seenBy(ben.id)).source).toMatchObject({ folder: 'INBOX', uid: bensUid });

    const marked = await system.api<SpamMarkView>('POST', `/v1/messages/${forBen.id}/spam`, { token: system.tokens.app, body: { userId: ben.id } });
    expect(marked.status, JSON.stringify(marked.body)).toBe(202);
    const moved = await spamMoved(marked.body.requestId);
    expect(moved).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'INBOX', toFolder: 'Junk' });
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toEqual([annasUid]);
    expect(await dovecot().doveadm(['search', '-u', username, 'mailbox', 'Junk', 'header', 'Delivered-To', 'ben@example.com'])).toContain(String(moved.newUid));
    await expectEventually(async () => expect((await seenBy(ben.id)).source).toMatchObject({ folder: 'Junk', uid: moved.newUid }));
    expect((await seenBy(anna.id)).source).toMatchObject({ folder: 'INBOX', uid: annasUid });

    // The fetcher syncs Junk and fetches Ben's moved copy: kept as what was fetched there, but no new delivery.
    await runFinished(account.id, await syncNow(account.id));
    expect(await mongo.db(system.env.MONGODB_DB).collection('fetched_messages').countDocuments({ accountId: account.id, folder: 'Junk' })).toBe(1);
    await expectEventually(async () => expect(await consumerCaughtUp({ natsUrl: system.stack.natsUrl, durable: 'message-router__message_fetched' })).toBe(true));
    expect(await copies.countDocuments({ messageId: forAnna.id })).toBe(2);
    expect(await mongo.db(system.env.MONGODB_DB).collection('deliveries').countDocuments({ accountId: account.id })).toBe(2);
    expect(deliveredTo(await seenBy(ben.id))).toEqual(['ben@example.com']);

    // Not spam brings Ben's copy back from where it now is; Anna's never moved.
    const back = await system.api<SpamMarkView>('POST', `/v1/messages/${forBen.id}/not-spam`, { token: system.tokens.app, body: { userId: ben.id } });
    expect(await spamMoved(back.body.requestId)).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'Junk', toFolder: 'INBOX' });
    expect(await uidsOnServer({ username, mailbox: 'Junk', messageId: messageIdHeader })).toEqual([]);
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toHaveLength(2);
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: messageIdHeader })).toContain(annasUid);
  });

  it("should DELE a message of a POP3 leave-on-server account by its UIDL in the account's next run", async () => {
    const username = 'delpop';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject: 'Pop gone' }) });
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ subject: 'Pop kept' }) });
    const account = await createAccount({ username, protocol: 'pop3', receive: { leaveOnServer: true } });
    const gone = await delivered(anna.id, 'inbox', 'Pop gone');
    await delivered(anna.id, 'inbox', 'Pop kept');
    const deleted = await system.api<MessageDeletionView>('DELETE', `/v1/messages/${gone.id}?userId=${anna.id}`, { token: system.tokens.app });
    expect(deleted.body).toMatchObject({ scope: 'server' });
    // The fetcher, the mailbox's one writer, takes the request; nothing else logs in to delete it.
    const requests = mongo.db(system.env.MONGODB_DB).collection('pop3_deletion_requests');
    await expectEventually(async () => expect(await requests.countDocuments({ accountId: account.id })).toBe(1));
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: '<Popgone@shop.example>' })).toHaveLength(1);

    await sync(account.id);

    await expectEventually(
      async () => {
        const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot().pop3Port, security: 'none', timeoutMs: 10_000 });
        try {
          await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
          expect((await client.stat()).count).toBe(1);
        } finally {
          await client.quit();
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(await uidsOnServer({ username, mailbox: 'INBOX', messageId: '<Popkept@shop.example>' })).toHaveLength(1);
    await expectEventually(async () => expect(await requests.countDocuments({ accountId: account.id })).toBe(0));
  });
});

describe('a server without special-use folders', () => {
  let bare: RunningDovecot;
  let dir: string;
  const usernames = ['spamfolder', 'nojunk', 'nocreate'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailbus-bare-dovecot-'));
    bare = await startDovecot({ dir, log: () => undefined, users: usernames.map((username) => ({ username, password: DEFAULT_MAIL_PASSWORD })), specialUseFolders: [] });
  });

  afterAll(async () => {
    await bare?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const markSpamOn = async ({ username, receive = {} }: { username: string; receive?: Record<string, unknown> }): Promise<SpamMoved> => {
    const subject = `Spam for ${username}`;
    await appendMessage({ dovecot: bare, username, raw: mail({ subject }) });
    const created = await system.api<AccountView>('POST', '/v1/accounts', {
      body: { name: username, email: `${username}@bare.example`, owners: [anna.id], receive: { protocol: 'imap', host: '127.0.0.1', port: bare.imapPort, security: 'none', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const message = await delivered(anna.id, 'inbox', subject);
    const marked = await system.api<SpamMarkView>('POST', `/v1/messages/${message.id}/spam`, { token: system.tokens.app, body: { userId: anna.id } });
    expect(marked.status).toBe(202);
    return spamMoved(marked.body.requestId);
  };
  const folders = async (username: string): Promise<string[]> => (await bare.doveadm(['mailbox', 'list', '-u', username])).split('\n').filter(Boolean);

  it('should move to a folder named "Spam" when there is no \\Junk', async () => {
    await bare.doveadm(['mailbox', 'create', '-u', 'spamfolder', 'Spam']);
    expect(await markSpamOn({ username: 'spamfolder' })).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'INBOX', toFolder: 'Spam' });
    expect(await folders('spamfolder')).not.toContain('Junk');
  });

  it('should create Junk when there is neither, and leave the mark local when the account does not allow creating it', async () => {
    expect(await markSpamOn({ username: 'nojunk' })).toMatchObject({ result: SpamMoveResult.MOVED, toFolder: 'Junk' });
    expect(await folders('nojunk')).toContain('Junk');

    const refused = await markSpamOn({ username: 'nocreate', receive: { createJunkFolder: false } });
    expect(refused).toMatchObject({ result: SpamMoveResult.SKIPPED, toFolder: '' });
    expect(refused.reason).toMatch(/no Junk folder/);
    expect(await folders('nocreate')).toEqual(['INBOX']);
  });
});
