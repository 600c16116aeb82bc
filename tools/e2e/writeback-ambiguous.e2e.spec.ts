import { randomUUID } from 'node:crypto';
import { fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteScope,
  Events,
  MailProtocol,
  SpamMovedSchema,
  SpamMoveResult,
  encodeEvent,
  timestampFromDate,
  type AccountView,
  type EventDefinition,
  type EventInit,
  type ServerLocationSchema,
  type SpamMoved,
  type UserView,
} from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * Write-back against Dovecot when the recorded UID no longer holds, in a multidrop mailbox that keeps
 * one copy of a mail per envelope recipient: every copy has the same Message-ID, so spam-feedback
 * must pick the copy of the recorded size, and leave the server alone when several copies still
 * match, never act on another recipient's copy. The events are published straight to NATS, as
 * message-router would, with a stale UIDVALIDITY.
 */
type LocationInit = MessageInitShape<typeof ServerLocationSchema>;

let system: System;
let owner: UserView;

const dovecot = () => system.stack.dovecot!;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'spam-feedback'], stack: { mail: true }, env: { HOST_CONNECTION_CAP: '20' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['owner@example.com'] } })).body;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

interface ServerCopy {
  uid: number;
  size: number;
  deliveredTo: string;
}

/** A multidrop mailbox with one copy of a mail per recipient, each with its own Delivered-To; the account that reads it. */
async function mailboxWithCopies({ username, messageIdHeader, recipients }: { username: string; messageIdHeader: string; recipients: string[] }): Promise<{ account: AccountView; copies: ServerCopy[] }> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
  for (const to of recipients) {
    const raw = `Delivered-To: ${to}\r\nFrom: Shop <offers@shop.example>\r\nTo: team@example.com\r\nSubject: Team offer\r\nMessage-ID: ${messageIdHeader}\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\nBuy now.\r\n`;
    await appendMessage({ dovecot: dovecot(), username, raw });
  }
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: {
      name: username,
      email: `${username}@example.com`,
      owners: [owner.id],
      receive: { protocol: 'imap', host: '127.0.0.1', port: dovecot().imapsPort, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, multidrop: { enabled: true, envelopeHeader: 'Delivered-To' } },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { account: response.body, copies: await copiesIn(username, 'INBOX') };
}

/** Every message of a server folder: UID, RFC822.SIZE (Dovecot's virtual size) and whose copy it is. */
async function copiesIn(username: string, mailbox: string): Promise<ServerCopy[]> {
  const out = await dovecot().doveadm(['-f', 'tab', 'fetch', '-u', username, 'uid size.virtual hdr.delivered-to', 'mailbox', mailbox, 'all']);
  return out
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [uid, size, deliveredTo] = line.split('\t');
      return { uid: Number(uid), size: Number(size), deliveredTo: deliveredTo!.trim() };
    });
}

const uidValidityOf = async (username: string, mailbox: string): Promise<number> => Number(/uidvalidity=(\d+)/.exec(await dovecot().doveadm(['-f', 'flow', 'mailbox', 'status', '-u', username, 'uidvalidity', mailbox]))?.[1]);

/** Where message-router last saw a copy, with an INBOX UIDVALIDITY that is no longer the folder's. */
const staleLocation = async ({ username, copy, messageIdHeader }: { username: string; copy: ServerCopy; messageIdHeader: string }): Promise<LocationInit> => ({
  protocol: MailProtocol.IMAP,
  folder: 'INBOX',
  uidValidity: (await uidValidityOf(username, 'INBOX')) + 1,
  uid: copy.uid,
  messageIdHeader,
  size: copy.size,
});

/** Publishes an event as its producer would (JetStream, with its message id). */
async function publish<Def extends EventDefinition>(def: Def, init: EventInit<Def>, msgId: string): Promise<void> {
  const nc = await connect({ servers: system.stack.natsUrl.split(',') });
  try {
    await jetstream(nc).publish(def.subject, encodeEvent(def, init), { msgID: msgId });
  } finally {
    await nc.close();
  }
}

async function markSpam({ accountId, location }: { accountId: string; location: LocationInit }): Promise<SpamMoved> {
  const requestId = randomUUID();
  await publish(Events.spamMarked, { requestId, messageId: randomUUID(), userId: owner.id, accountId, spam: true, requestedAt: timestampFromDate(new Date()), location, copyId: randomUUID() }, requestId);
  return expectEventually(
    async () => {
      const found = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.spamMoved.subject })).map((event) => fromBinary(SpamMovedSchema, event.data)).find((event) => event.requestId === requestId);
      expect(found, `spam.moved for ${requestId}`).toBeDefined();
      return found!;
    },
    { timeoutMs: 60_000 },
  );
}

async function deleteOnServer({ accountId, location }: { accountId: string; location: LocationInit }): Promise<string> {
  const messageId = randomUUID();
  await publish(Events.messageDeleted, { messageId, userId: owner.id, accountId, scope: DeleteScope.SERVER, deletedAt: timestampFromDate(new Date()), location }, `message.deleted:${messageId}`);
  return messageId;
}

/** spam-feedback's log line of a server deletion, once it has handled it. */
const deletionLogged = (messageId: string): Promise<{ msg: string; reason: string; level: string }> =>
  expectEventually(
    async () => {
      const line = (await system.logs())
        .split('\n')
        .filter((text) => text.includes(messageId))
        .map((text) => JSON.parse(text) as { msg?: string; reason: string; level: string })
        .find((entry) => entry.msg?.startsWith('server deletion'));
      expect(line, `deletion of ${messageId} logged`).toBeDefined();
      return line as { msg: string; reason: string; level: string };
    },
    { timeoutMs: 60_000 },
  );

describe('spam marks with a stale UID in a mailbox with a copy per recipient', () => {
  it("should move the recipient's own copy, found by Message-ID and size, not another recipient's copy with a lower UID", async () => {
    const username = 'ambspamsize';
    const messageIdHeader = '<Teamoffer1@shop.example>';
    const { account, copies } = await mailboxWithCopies({ username, messageIdHeader, recipients: ['anna@example.com', 'benjamin@example.com'] });
    const [annas, benjamins] = copies;
    expect(annas!.size).not.toBe(benjamins!.size);

    const moved = await markSpam({ accountId: account.id, location: await staleLocation({ username, copy: benjamins!, messageIdHeader }) });

    expect(moved).toMatchObject({ result: SpamMoveResult.MOVED, fromFolder: 'INBOX', toFolder: 'Junk' });
    expect(await copiesIn(username, 'Junk')).toEqual([{ uid: moved.newUid, size: benjamins!.size, deliveredTo: 'benjamin@example.com' }]);
    expect(await copiesIn(username, 'INBOX')).toEqual([annas]);
  });

  it('should move nothing and say why when two copies of the recorded size match', async () => {
    const username = 'ambspamsame';
    const messageIdHeader = '<Teamoffer2@shop.example>';
    const { account, copies } = await mailboxWithCopies({ username, messageIdHeader, recipients: ['anna@example.com', 'bert@example.com'] });
    const [annas, berts] = copies;
    expect(annas!.size).toBe(berts!.size);

    const answer = await markSpam({ accountId: account.id, location: await staleLocation({ username, copy: berts!, messageIdHeader }) });

    expect(answer).toMatchObject({ result: SpamMoveResult.SKIPPED, fromFolder: 'INBOX', toFolder: '', newUid: 0 });
    expect(answer.reason).toBe(`2 messages with Message-ID ${messageIdHeader} and size ${berts!.size} in INBOX; not moved, to avoid moving another recipient's copy`);
    expect(await copiesIn(username, 'Junk')).toEqual([]);
    expect(await copiesIn(username, 'INBOX')).toEqual(copies);
  });
});

describe('server deletions with a stale UID in a mailbox with a copy per recipient', () => {
  it("should delete the recipient's own copy alone, found by Message-ID and size", async () => {
    const username = 'ambdelsize';
    const messageIdHeader = '<Teamoffer3@shop.example>';
    const { account, copies } = await mailboxWithCopies({ username, messageIdHeader, recipients: ['anna@example.com', 'benjamin@example.com'] });
    const [annas, benjamins] = copies;

    const messageId = await deleteOnServer({ accountId: account.id, location: await staleLocation({ username, copy: benjamins!, messageIdHeader }) });

    expect(await deletionLogged(messageId)).toMatchObject({ msg: 'server deletion deleted' });
    expect(await copiesIn(username, 'INBOX')).toEqual([annas]);
  });

  it('should leave both copies on the server, with a warning that says why, when two of the recorded size match', async () => {
    const username = 'ambdelsame';
    const messageIdHeader = '<Teamoffer4@shop.example>';
    const { account, copies } = await mailboxWithCopies({ username, messageIdHeader, recipients: ['anna@example.com', 'bert@example.com'] });
    const [annas, berts] = copies;
    expect(annas!.size).toBe(berts!.size);

    const messageId = await deleteOnServer({ accountId: account.id, location: await staleLocation({ username, copy: berts!, messageIdHeader }) });

    expect(await deletionLogged(messageId)).toMatchObject({
      msg: 'server deletion skipped',
      level: 'warn',
      reason: `2 messages with Message-ID ${messageIdHeader} and size ${berts!.size} in INBOX; not deleted, to avoid deleting another recipient's copy`,
    });
    expect(await copiesIn(username, 'INBOX')).toEqual(copies);
  });
});
