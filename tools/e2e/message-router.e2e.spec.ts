import { fromBinary } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CalendarMethod,
  Events,
  MessageDeliveredSchema,
  RoutingRule,
  UserFolder,
  type AccountView,
  type MessageDelivered,
  type MessagePageView,
  type MessageSummaryView,
  type MessageView,
  type UserView,
} from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually, seedMaildir } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * message-router end to end: mail put on Dovecot is fetched, parsed, routed to users by every rule
 * of the issue, announced with message.delivered, and served by the read API.
 */
let system: System;
const users: Record<string, UserView> = {};
let owner: UserView;

const dovecot = () => system.stack.dovecot!;
/** Addresses per field and attachments listed on a message's record and in message.delivered. */
const MAX_LISTED = 200;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher', 'message-router'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200', FETCH_HOST_CONNECTION_CAP: '20' } });
  const create = async (name: string, addresses: string[]): Promise<UserView> => {
    const response = await system.api<UserView>('POST', '/v1/users', { body: { displayName: name, addresses } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  owner = await create('Mailbox Owner', ['postmaster@example.com']);
  users.anna = await create('Anna', ['anna@example.com']);
  users.ben = await create('Ben', ['ben@example.com', 'ben@müller.de']);
  users.carla = await create('Carla', ['Carla@Example.com']);
  users.dora = await create('Dora', ['dora@example.com']);
  users.emil = await create('Emil', ['emil@example.com', '@emil.example']);
  const group = await system.api('POST', '/v1/groups', { body: { address: 'sales@example.com', members: [users.anna.id, users.ben.id] } });
  expect(group.status, JSON.stringify(group.body)).toBe(201);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

async function createAccount({ username, protocol, receive = {}, owners = [owner.id] }: { username: string; protocol: 'imap' | 'pop3'; receive?: Record<string, unknown>; owners?: string[] }): Promise<AccountView> {
  const port = protocol === 'imap' ? dovecot().imapsPort : dovecot().pop3sPort;
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners, receive: { protocol, host: '127.0.0.1', port, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const folder = async (userId: string, name: string, query = ''): Promise<MessageSummaryView[]> => {
  const response = await system.api<MessagePageView>('GET', `/v1/users/${userId}/messages?folder=${name}&limit=200${query}`, { token: system.tokens.app });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.messages;
};

/** Waits until the user's folder holds exactly these subjects (in any order). */
const expectFolder = (userId: string, name: string, subjects: string[]): Promise<MessageSummaryView[]> =>
  expectEventually(
    async () => {
      const messages = await folder(userId, name);
      expect(messages.map(({ subject }) => subject).sort()).toEqual([...subjects].sort());
      return messages;
    },
    { timeoutMs: 60_000 },
  );

const deliveredEvents = async (): Promise<MessageDelivered[]> => (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageDelivered.subject })).map((event) => fromBinary(MessageDeliveredSchema, event.data));

const mail = ({ headers, body = 'Hello.' }: { headers: Record<string, string | string[]>; body?: string }): string =>
  `${Object.entries(headers)
    .flatMap(([key, value]) => ([] as string[]).concat(value).map((line) => `${key}: ${line}`))
    .join('\r\n')}\r\n\r\n${body}\r\n`;

describe('a multidrop POP3 mailbox for the whole company', () => {
  it('should route each message by its envelope recipient, skipping the mailbox own Delivered-To, to users, groups, plus and IDN addresses, catch-alls, spam and the owners', async () => {
    const username = 'company';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    const envelope = (to: string, subject: string, extra: Record<string, string> = {}) =>
      mail({ headers: { 'Delivered-To': ['company@example.com', to], From: 'customer@example.org', To: 'info@example.com', Subject: subject, 'Message-ID': `<${subject.replace(/\W/g, '')}@example.org>`, Date: 'Mon, 30 Nov 2026 09:00:00 +0000', ...extra } });
    const messages = [
      envelope('anna@example.com', 'for anna'),
      envelope('ben@example.com', 'for ben'),
      envelope('carla@example.com', 'for carla'),
      envelope('dora@example.com', 'for dora'),
      envelope('emil@example.com', 'for emil'),
      envelope('sales@example.com', 'for sales'),
      envelope('ben+news@example.com', 'for ben plus'),
      envelope('ben@xn--mller-kva.de', 'for ben idn'),
      envelope('anything@emil.example', 'for emil catch-all'),
      envelope('nobody@example.com', 'for nobody'),
      envelope('carla@example.com', 'spam for carla', { 'X-Spam-Flag': 'YES', 'X-Spam-Status': 'Yes, score=9.1 required=5.0' }),
    ];
    for (const raw of messages) await appendMessage({ dovecot: dovecot(), username, raw });

    const account = await createAccount({ username, protocol: 'pop3', receive: { multidrop: { enabled: true, envelopeHeader: 'Delivered-To', skip: 1 } } });

    await expectFolder(users.anna!.id, 'inbox', ['for anna', 'for sales']);
    await expectFolder(users.ben!.id, 'inbox', ['for ben', 'for sales', 'for ben plus', 'for ben idn']);
    await expectFolder(users.carla!.id, 'inbox', ['for carla']);
    await expectFolder(users.carla!.id, 'spam', ['spam for carla']);
    await expectFolder(users.dora!.id, 'inbox', ['for dora']);
    const emil = await expectFolder(users.emil!.id, 'inbox', ['for emil', 'for emil catch-all']);
    const ownerInbox = await expectFolder(owner.id, 'inbox', ['for nobody']);

    expect(emil.find(({ subject }) => subject === 'for emil catch-all')).toMatchObject({ rule: 'envelope-recipient', matchedAddress: '@emil.example' });
    expect(ownerInbox[0]).toMatchObject({ rule: 'account-owner', accountId: account.id });
    const ben = await folder(users.ben!.id, 'inbox');
    expect(Object.fromEntries(ben.map(({ subject, rule, matchedAddress }) => [subject, [rule, matchedAddress]]))).toEqual({
      'for ben': ['envelope-recipient', 'ben@example.com'],
      'for sales': ['group', 'sales@example.com'],
      'for ben plus': ['envelope-recipient', 'ben@example.com'],
      'for ben idn': ['envelope-recipient', 'ben@xn--mller-kva.de'],
    });

    const events = (await deliveredEvents()).filter((event) => event.accountId === account.id);
    // 11 messages, one of them to a group of two.
    expect(events).toHaveLength(12);
    expect(new Set(events.map((event) => event.deliveryId)).size).toBe(12);
    expect(events.find((event) => event.subject === 'spam for carla')).toMatchObject({ userId: users.carla!.id, folder: UserFolder.SPAM, spam: true, rule: RoutingRule.ENVELOPE_RECIPIENT });
    expect(events.find((event) => event.subject === 'for nobody')).toMatchObject({ userId: owner.id, folder: UserFolder.INBOX, rule: RoutingRule.ACCOUNT_OWNER });
  });
});

describe("a user's own IMAP account with the Sent folder", () => {
  const username = 'annamail';
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), createHash('sha256').update('exposé').digest(), Buffer.alloc(3000, 7)]);
  const invitation = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//mailbus//e2e//EN', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:viewing-4711@example.org', 'SEQUENCE:0', 'DTSTAMP:20261130T090000Z', 'DTSTART:20261203T140000Z', 'DTEND:20261203T150000Z', 'SUMMARY:Besichtigung', 'LOCATION:Musterstraße 12', 'ORGANIZER;CN=Max Kunde:mailto:max@example.org', 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Anna:mailto:anna@example.com', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
  const rich = [
    'From: Max Kunde <max@example.org>',
    'To: Anna <anna@example.com>',
    'Subject: =?UTF-8?Q?Besichtigung_Musterstra=C3=9Fe_12?=',
    'Message-ID: <viewing-4711@example.org>',
    'Date: Mon, 30 Nov 2026 08:14:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Guten Tag Frau Berger',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p onclick="steal()">Guten Tag<script>alert(1)</script><img src="https://tracker.example.net/p.gif"></p>',
    '--alt',
    'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
    '',
    invitation,
    '--alt--',
    '--outer',
    'Content-Type: application/pdf; name="=?UTF-8?Q?Expos=C3=A9.pdf?="',
    'Content-Disposition: attachment; filename="=?UTF-8?Q?Expos=C3=A9.pdf?="',
    'Content-Transfer-Encoding: base64',
    '',
    pdf.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--outer--',
    '',
  ].join('\r\n');
  let account: AccountView;
  let message: MessageSummaryView;

  beforeAll(async () => {
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username, raw: rich, date: new Date('2026-11-30T08:14:03Z') });
    await appendMessage({ dovecot: dovecot(), username, folder: 'Sent', raw: mail({ headers: { From: 'Anna <anna@example.com>', To: 'max@example.org', Subject: 'Re: Besichtigung', 'Message-ID': '<reply-4711@example.com>', 'In-Reply-To': '<viewing-4711@example.org>', References: '<viewing-4711@example.org>' } }) });
    // No header block at all: nothing to parse, yet it must not be lost.
    await appendMessage({ dovecot: dovecot(), username, raw: '\r\nonly a body, no header fields\r\n' });
    account = await createAccount({ username, protocol: 'imap', owners: [users.anna!.id], receive: { folders: ['INBOX', 'Sent'] } });
    [message] = (await expectFolder(users.anna!.id, 'inbox', ['Besichtigung Musterstraße 12', '', 'for anna', 'for sales'])).filter(({ subject }) => subject.startsWith('Besichtigung'));
  }, 120_000);

  it('should store the parsed message with sanitised HTML, attachments, the invitation and the thread', async () => {
    const response = await system.api<MessageView>('GET', `/v1/messages/${message.id}?userId=${users.anna!.id}`, { token: system.tokens.app });

    expect(response.status).toBe(200);
    const view = response.body;
    expect(view).toMatchObject({
      accountId: account.id,
      messageIdHeader: '<viewing-4711@example.org>',
      subject: 'Besichtigung Musterstraße 12',
      from: { address: 'max@example.org', name: 'Max Kunde' },
      to: [{ address: 'anna@example.com', name: 'Anna' }],
      text: expect.stringContaining('Guten Tag Frau Berger'),
      htmlHasRemoteContent: true,
      // The invitation is a part of its own too, so the application can hand the .ics to a calendar.
      attachments: [
        { index: 0, filename: 'attachment-1.ics', contentType: 'text/calendar', inline: false },
        { index: 1, filename: 'Exposé.pdf', contentType: 'application/pdf', size: pdf.length, inline: false },
      ],
      calendar: { method: 'REQUEST', uid: 'viewing-4711@example.org', start: '2026-12-03T14:00:00.000Z', end: '2026-12-03T15:00:00.000Z', organizer: { address: 'max@example.org' } },
      source: { protocol: 'imap', folder: 'INBOX', uid: 1 },
      delivery: { folder: 'inbox', rule: 'recipient-address', matchedAddress: 'anna@example.com', read: false },
    });
    expect(view.html).toContain('data-remote-src="https://tracker.example.net/p.gif"');
    expect(view.html).not.toMatch(/<script|onclick|\ssrc="https:/);
    expect(view.receivedAt).toBe('2026-11-30T08:14:03.000Z');
    const sent = (await folder(users.anna!.id, 'sent'))[0]!;
    expect(sent).toMatchObject({ subject: 'Re: Besichtigung', rule: 'sender-address', folder: 'sent' });
    expect(sent.threadId).toBe(view.threadId);
  });

  it('should serve the raw source and the attachment byte for byte, with type and filename', async () => {
    const raw = await fetch(`${system.apiUrl}/v1/messages/${message.id}/raw`, { headers: { authorization: `Bearer ${system.tokens.app}` } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(Buffer.from(await raw.arrayBuffer()).toString()).toBe(rich);

    const attachment = await fetch(`${system.apiUrl}/v1/messages/${message.id}/attachments/1`, { headers: { authorization: `Bearer ${system.tokens.app}` } });
    expect(attachment.status).toBe(200);
    expect(attachment.headers.get('content-type')).toBe('application/pdf');
    expect(attachment.headers.get('content-disposition')).toBe(`attachment; filename="Expose.pdf"; filename*=UTF-8''Expos%C3%A9.pdf`);
    expect(Buffer.from(await attachment.arrayBuffer()).equals(pdf)).toBe(true);

    const missing = await system.api('GET', `/v1/messages/${message.id}/attachments/5`, { token: system.tokens.app });
    expect(missing.status).toBe(404);
    expect((await system.api('GET', `/v1/messages/m${'0'.repeat(32)}/raw`, { token: system.tokens.app })).status).toBe(404);
    expect((await system.api('GET', '/v1/messages/not-an-id', { token: system.tokens.app })).status).toBe(400);
  });

  it('should answer 503 "being routed", not 404, for a listed delivery whose record is not in yet', async () => {
    // The state between routing's two writes (deliveries, then the record), or after a crash in between.
    const messageId = `m${'7'.repeat(32)}`;
    const mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
    try {
      const delivery = { _id: `d-routing-${messageId}`, userId: users.anna!.id, messageId, accountId: account.id, folder: 'inbox', rule: 'recipient_address', matchedAddress: 'anna@example.com', read: false, receivedAt: new Date(), to: [], subject: 'in flight', size: 1, spam: false, threadId: 't', hasAttachments: false, published: false, deliveredAt: new Date() };
      await mongo.db(system.env.MONGODB_DB).collection('deliveries').insertOne(delivery as never);

      const routing = await system.api<{ error: { code: string; message: string } }>('GET', `/v1/messages/${messageId}?userId=${users.anna!.id}`, { token: system.tokens.app });

      expect(routing.status).toBe(503);
      expect(routing.headers.get('retry-after')).toBe('1');
      expect(routing.body.error).toEqual({ code: 'service_unavailable', message: `message ${messageId} is being routed; ask again in a moment` });
      expect((await system.api('GET', `/v1/messages/${messageId}/raw`, { token: system.tokens.app })).status).toBe(503);
      await mongo.db(system.env.MONGODB_DB).collection('deliveries').deleteOne({ _id: delivery._id } as never);
      expect((await system.api('GET', `/v1/messages/${messageId}`, { token: system.tokens.app })).status).toBe(404);
    } finally {
      await mongo.close();
    }
  });

  it('should announce the delivery with what the application files an activity from', async () => {
    const event = (await deliveredEvents()).find((candidate) => candidate.messageId === message.id && candidate.userId === users.anna!.id);

    expect(event).toMatchObject({ accountId: account.id, folder: UserFolder.INBOX, rule: RoutingRule.RECIPIENT_ADDRESS, subject: 'Besichtigung Musterstraße 12', spam: false, messageIdHeader: '<viewing-4711@example.org>' });
    expect(event?.attachments.map(({ filename, contentType }) => [filename, contentType])).toEqual([
      ['attachment-1.ics', 'text/calendar'],
      ['Exposé.pdf', 'application/pdf'],
    ]);
    expect(event?.attachments[1]?.size).toBe(pdf.length);
    expect(event?.calendarInvitation).toMatchObject({ method: CalendarMethod.REQUEST, uid: 'viewing-4711@example.org', summary: 'Besichtigung' });
  });

  it('should quarantine a message it cannot parse: kept raw, delivered to the owner with parseError, counted', async () => {
    const quarantined = (await folder(users.anna!.id, 'inbox')).find(({ subject }) => subject === '');

    expect(quarantined?.parseError).toMatch(/header/i);
    const raw = await fetch(`${system.apiUrl}/v1/messages/${quarantined!.id}/raw`, { headers: { authorization: `Bearer ${system.tokens.app}` } });
    expect(Buffer.from(await raw.arrayBuffer()).toString()).toBe('\r\nonly a body, no header fields\r\n');
    const metrics = await (await fetch(`http://127.0.0.1:${system.port('message-router')}/metrics`)).text();
    expect(metrics).toMatch(/mailbus_parse_failures_total\{[^}]*reason="no_headers"[^}]*\} 1/);
    expect(metrics).toMatch(/mailbus_messages_routed_total\{[^}]*outcome="quarantined"[^}]*\} 1/);
  });

  it('should keep one delivery per user and Message-ID when the same mail arrives through a second account', async () => {
    const second = 'annacopy';
    await dovecot().addUser({ username: second, password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: dovecot(), username: second, raw: rich });
    await appendMessage({ dovecot: dovecot(), username: second, raw: mail({ headers: { From: 'x@example.org', To: 'anna@example.com', Subject: 'marker', 'Message-ID': '<marker@example.org>' } }) });
    await createAccount({ username: second, protocol: 'imap', owners: [users.anna!.id] });

    const inbox = await expectFolder(users.anna!.id, 'inbox', ['Besichtigung Musterstraße 12', '', 'for anna', 'for sales', 'marker']);
    expect(inbox.filter(({ subject }) => subject.startsWith('Besichtigung'))).toHaveLength(1);
  });

  it('should page a folder newest first with a cursor that stays stable when new mail arrives, and mark read and unread', async () => {
    const first = await system.api<MessagePageView>('GET', `/v1/users/${users.anna!.id}/messages?limit=2`, { token: system.tokens.app });
    expect(first.body.messages).toHaveLength(2);
    await appendMessage({ dovecot: dovecot(), username, raw: mail({ headers: { From: 'late@example.org', To: 'anna@example.com', Subject: 'arrived between pages', 'Message-ID': '<late@example.org>' } }) });
    await system.api('POST', `/v1/accounts/${account.id}/sync`);
    await expectEventually(async () => expect((await folder(users.anna!.id, 'inbox')).map(({ subject }) => subject)).toContain('arrived between pages'), { timeoutMs: 60_000 });

    const seen = [...first.body.messages];
    for (let cursor = first.body.nextCursor; cursor; ) {
      const page = await system.api<MessagePageView>('GET', `/v1/users/${users.anna!.id}/messages?limit=2&cursor=${cursor}`, { token: system.tokens.app });
      expect(page.status).toBe(200);
      seen.push(...page.body.messages);
      cursor = page.body.nextCursor;
    }
    const all = await folder(users.anna!.id, 'inbox');
    expect(seen.map(({ id }) => id)).toEqual(all.filter(({ subject }) => subject !== 'arrived between pages').map(({ id }) => id));
    const times = all.map(({ receivedAt }) => Date.parse(receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await system.api('GET', `/v1/users/${users.anna!.id}/messages?cursor=bogus`, { token: system.tokens.app })).status).toBe(400);

    const read = await system.api<MessageSummaryView>('POST', `/v1/messages/${message.id}/read`, { body: { userId: users.anna!.id }, token: system.tokens.app });
    expect(read.body).toMatchObject({ id: message.id, read: true });
    expect((await folder(users.anna!.id, 'inbox')).find(({ id }) => id === message.id)?.read).toBe(true);
    expect((await system.api<MessageSummaryView>('POST', `/v1/messages/${message.id}/unread`, { body: { userId: users.anna!.id }, token: system.tokens.app })).body.read).toBe(false);
    expect((await system.api('POST', `/v1/messages/${message.id}/read`, { body: { userId: users.dora!.id }, token: system.tokens.app })).status).toBe(404);
  });
});

describe('a bulk mail', () => {
  it('should deliver and announce a mail to 75,000 recipients with 900 attachments, its lists cut to what one event holds', async () => {
    const username = 'bulkmail';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    const reader = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Bulk reader', addresses: ['bulk-reader@example.com'] } })).body;
    // As much as mailparser takes (a 1 MiB head, 1,000 MIME parts), and more than one NATS message (1 MiB) would hold.
    const recipients = ['bulk-reader@example.com', ...Array.from({ length: 75_000 }, (_, n) => `c${n}@b.ex`)];
    const longName = (n: number): string => `${String(n).padStart(4, '0')}-${'Zusammenfassung-'.repeat(12)}.txt`;
    const attachments = Array.from({ length: 900 }, (_, n) => ['--b', `Content-Type: text/plain; name="${longName(n)}"`, 'Content-Disposition: attachment', '', `note ${n}`].join('\r\n'));
    const raw = [
      'From: Newsletter <news@bulk.example>',
      // 60 addresses a line: mailsplit counts every header line at a minimum cost, so that many short lines hit its 1 MiB head limit.
      `To: ${Array.from({ length: Math.ceil(recipients.length / 60) }, (_, line) => recipients.slice(line * 60, line * 60 + 60).join(', ')).join(',\r\n ')}`,
      'Subject: Angebote der Woche',
      'Message-ID: <bulk-1@bulk.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Die Angebote',
      ...attachments,
      '--b--',
      '',
    ].join('\r\n');
    await appendMessage({ dovecot: dovecot(), username, raw });
    await createAccount({ username, protocol: 'imap', owners: [reader.id] });

    const [delivered] = await expectFolder(reader.id, 'inbox', ['Angebote der Woche']);
    const event = await expectEventually(async () => {
      const found = (await deliveredEvents()).find(({ messageIdHeader }) => messageIdHeader === '<bulk-1@bulk.example>');
      expect(found).toBeDefined();
      return found!;
    });
    expect(event).toMatchObject({ userId: reader.id, rule: RoutingRule.RECIPIENT_ADDRESS, subject: 'Angebote der Woche' });
    expect(event.to.slice(0, 2).map(({ address }) => address)).toEqual(['bulk-reader@example.com', 'c0@b.ex']);
    expect(event.to).toHaveLength(MAX_LISTED);
    expect(event.attachments).toHaveLength(MAX_LISTED);
    const view = (await system.api<MessageView>('GET', `/v1/messages/${delivered!.id}?userId=${reader.id}`, { token: system.tokens.app })).body;
    expect([view.to.length, view.attachments.length]).toEqual([MAX_LISTED, MAX_LISTED]);
    // The raw source keeps them all.
    const source = await fetch(`${system.apiUrl}/v1/messages/${delivered!.id}/raw`, { headers: { authorization: `Bearer ${system.tokens.app}` } });
    expect((await source.text()).length).toBe(raw.length);
  });
});

describe('a long message', () => {
  it('should serve 1.4 million characters of text and 1.5 million of HTML in full, more than one NATS reply holds', async () => {
    const username = 'longmail';
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    const reader = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Long reader', addresses: ['long-reader@example.com'] } })).body;
    const line = (n: number): string => `Zeile ${String(n).padStart(6, '0')}: Überblick über die Objekte der Woche, Preise und Termine.`;
    const lines = Array.from({ length: 20_000 }, (_, n) => line(n));
    const text = lines.join('\r\n');
    const html = `<html><body>${lines.map((entry) => `<p>${entry}</p>`).join('\r\n')}</body></html>`;
    const raw = [
      'From: Makler <makler@example.org>',
      'To: long-reader@example.com',
      'Subject: Lange Liste',
      'Message-ID: <long-1@example.org>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      html,
      '--alt--',
      '',
    ].join('\r\n');
    await appendMessage({ dovecot: dovecot(), username, raw });
    await createAccount({ username, protocol: 'imap', owners: [reader.id] });
    const [delivered] = await expectFolder(reader.id, 'inbox', ['Lange Liste']);

    // The deliveries are written before the record (a crash in between routes again): wait for the record.
    const view = await expectEventually(async () => {
      const response = await system.api<MessageView>('GET', `/v1/messages/${delivered!.id}?userId=${reader.id}`, { token: system.tokens.app });
      expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(200);
      return response;
    });
    expect(view.body.text.length).toBeGreaterThan(1_400_000);
    expect(view.body.text.replace(/\r?\n/g, '\n').trimEnd()).toBe(lines.join('\n'));
    expect(view.body.html).toContain(`<p>${line(19_999)}</p>`);
    expect(view.body.html!.length).toBeGreaterThan(1_500_000);
  });
});

describe('a large message', () => {
  it.each(['imap', 'pop3'] as const)('should fetch a 6 MiB message over %s (streamed into the store) and serve it and its attachment byte for byte', async (protocol) => {
    const username = `largemail${protocol}`;
    await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    const reader = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Large reader', addresses: [`large-${protocol}@example.com`] } })).body;
    const video = createHash('sha512').update(protocol).digest();
    const content = Buffer.concat(Array.from({ length: (6 * 1024 * 1024) / video.length }, (_, n) => createHash('sha512').update(video).update(String(n)).digest()));
    const raw = [
      'From: Makler <makler@example.org>',
      `To: large-${protocol}@example.com`,
      'Subject: Rundgang',
      `Message-ID: <large-${protocol}@example.org>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: text/plain',
      '',
      'Der Rundgang als Video.',
      '--m',
      'Content-Type: video/mp4; name="Rundgang.mp4"',
      'Content-Disposition: attachment; filename="Rundgang.mp4"',
      'Content-Transfer-Encoding: base64',
      '',
      content.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--m--',
      '',
    ].join('\r\n');
    await appendMessage({ dovecot: dovecot(), username, raw });
    await createAccount({ username, protocol, owners: [reader.id], ...(protocol === 'pop3' ? { receive: { leaveOnServer: true } } : {}) });
    const [delivered] = await expectFolder(reader.id, 'inbox', ['Rundgang']);

    const download = async (path: string): Promise<Buffer> => Buffer.from(await (await fetch(`${system.apiUrl}/v1/messages/${delivered!.id}${path}`, { headers: { authorization: `Bearer ${system.tokens.app}` } })).arrayBuffer());
    expect((await download('/raw')).equals(Buffer.from(raw))).toBe(true);
    expect((await download('/attachments/0')).equals(content)).toBe(true);
  });
});

describe('crashes', () => {
  it('should end with one delivery and one message.delivered per message when message-router is killed while routing', async () => {
    const username = 'crashmail';
    const count = 120;
    const messages = Array.from({ length: count }, (_, n) => Buffer.from(mail({ headers: { From: 'bulk@example.org', To: 'dora@example.com', Subject: `bulk ${n}`, 'Message-ID': `<bulk-${n}@example.org>` }, body: 'x'.repeat(2000) })));
    await seedMaildir({ dovecot: dovecot(), username, password: DEFAULT_MAIL_PASSWORD, messages });
    const account = await createAccount({ username, protocol: 'imap', owners: [users.dora!.id] });
    const bulk = async (): Promise<number> => (await folder(users.dora!.id, 'inbox')).filter(({ subject }) => subject.startsWith('bulk ')).length;

    for (const atLeast of [10, 60]) {
      await expectEventually(async () => expect(await bulk()).toBeGreaterThanOrEqual(atLeast), { timeoutMs: 120_000, intervalMs: 100 });
      await system.crashAndRestart('message-router');
    }

    await expectEventually(async () => expect(await bulk()).toBe(count), { timeoutMs: 180_000, intervalMs: 500 });
    // A delivery shows in the folder as soon as it is stored; its event follows, for an event that was
    // in flight at a kill only after JetStream redelivers it (ack wait, 30 s).
    const events = await expectEventually(
      async () => {
        const found = (await deliveredEvents()).filter((event) => event.accountId === account.id);
        expect(found).toHaveLength(count);
        return found;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(new Set(events.map((event) => event.messageIdHeader)).size).toBe(count);
  }, 400_000);
});
