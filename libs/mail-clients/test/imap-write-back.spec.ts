import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '@mailbus/testing';
import { appendImapMessageOnce, deleteImapMessage, ensureJunkFolder, moveImapMessage } from '../src';
import { messagesIn, rawMessage, useTestDovecot } from './fixtures/imap-test-client.util';

const USERS = ['move', 'stale', 'elsewhere', 'nowhere', 'delete', 'append', 'junkfolder', 'copies', 'samesize', 'nosize', 'delcopies'];

const imap = useTestDovecot({ usernames: USERS });

const connect = async (username: string): Promise<ImapFlow> => (await imap.connect(username)).client;

const seed = async (username: string, messageId: string, { folder = 'INBOX', flags = [], raw = rawMessage(messageId) }: { folder?: string; flags?: string[]; raw?: Buffer } = {}) => {
  const { uid, uidValidity } = await appendMessage({ dovecot: imap.dovecot, username, folder, raw, flags });
  return { folder, uid, uidValidity: Number(uidValidity), messageIdHeader: messageId };
};

const idsIn = async (client: ImapFlow, folder: string): Promise<(string | undefined)[]> => (await messagesIn(client, folder)).map(({ messageId }) => messageId);

/**
 * A multidrop mailbox's copies of one mail, one per envelope recipient: the same Message-ID, each with
 * its own Delivered-To (so their sizes differ unless the addresses are equally long).
 */
const seedCopies = async (username: string, messageId: string, recipients: string[]) => {
  const copies = [];
  for (const to of recipients) copies.push({ ...(await seed(username, messageId, { raw: rawMessage(messageId, 'Team offer', { 'Delivered-To': to }) })), deliveredTo: to });
  return copies;
};

/** Whose copy each message of a folder is (Delivered-To), with its RFC822.SIZE, by UID. */
async function copiesIn(client: ImapFlow, folder: string): Promise<{ uid: number; deliveredTo?: string; size?: number }[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const messages = await client.fetchAll('1:*', { uid: true, size: true, headers: ['delivered-to'] });
    return messages.map(({ uid, size, headers }) => ({ uid, size, deliveredTo: /^Delivered-To:\s*(\S+)/im.exec(headers?.toString() ?? '')?.[1] })).sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

const sizeOf = async (client: ImapFlow, { folder, uid }: { folder: string; uid: number }): Promise<number> => (await copiesIn(client, folder)).find((copy) => copy.uid === uid)!.size!;

describe(moveImapMessage.name, () => {
  it('should move to Junk with the new UID and keywords, move back, and answer already-there for a repeated move without changing anything', async () => {
    const seen = await seed('move', 'spam-1@example.com', { flags: ['$NotJunk'] });
    await seed('move', 'ham-1@example.com');
    const client = await connect('move');
    const keywords = { add: ['$Junk'], remove: ['$NotJunk'] };

    const toJunk = await moveImapMessage(client, { message: seen, to: 'Junk', searchFolders: [], keywords });
    expect(toJunk).toMatchObject({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk', uidValidity: expect.any(Number), uid: expect.any(Number) });
    const inJunk = await messagesIn(client, 'Junk');
    expect(inJunk).toEqual([{ uid: (toJunk as { uid: number }).uid, messageId: '<spam-1@example.com>', flags: ['$Junk'] }]);
    expect(await idsIn(client, 'INBOX')).toEqual(['<ham-1@example.com>']);

    // The caller retries with the reference it had before the move.
    const again = await moveImapMessage(client, { message: seen, to: 'Junk', searchFolders: ['INBOX'], keywords });
    expect(again).toEqual({ result: 'already-there', toFolder: 'Junk', uidValidity: (toJunk as { uidValidity: number }).uidValidity, uid: (toJunk as { uid: number }).uid });
    expect(await messagesIn(client, 'Junk')).toEqual(inJunk);
    expect(await idsIn(client, 'INBOX')).toEqual(['<ham-1@example.com>']);

    const back = await moveImapMessage(client, {
      message: { folder: 'Junk', uidValidity: (toJunk as { uidValidity: number }).uidValidity, uid: (toJunk as { uid: number }).uid, messageIdHeader: 'spam-1@example.com' },
      to: 'INBOX',
      searchFolders: [],
      keywords: { add: ['$NotJunk'], remove: ['$Junk'] },
    });
    expect(back).toMatchObject({ result: 'moved', fromFolder: 'Junk', toFolder: 'INBOX', uid: expect.any(Number) });
    expect(await messagesIn(client, 'Junk')).toEqual([]);
    expect(await messagesIn(client, 'INBOX')).toEqual([
      expect.objectContaining({ messageId: '<ham-1@example.com>' }),
      { uid: (back as { uid: number }).uid, messageId: '<spam-1@example.com>', flags: ['$NotJunk'] },
    ]);
  });

  it('should find the message by Message-ID when UIDVALIDITY changed, and not move whatever holds its old UID now', async () => {
    const wanted = await seed('stale', 'wanted@example.com');
    const other = await seed('stale', 'other@example.com');
    const client = await connect('stale');

    // A stale reference: its UID belongs to another message under a different UIDVALIDITY.
    const outcome = await moveImapMessage(client, { message: { ...wanted, uidValidity: wanted.uidValidity + 1, uid: other.uid }, to: 'Junk', searchFolders: [] });

    expect(outcome).toMatchObject({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk' });
    expect(await idsIn(client, 'INBOX')).toEqual(['<other@example.com>']);
    expect(await idsIn(client, 'Junk')).toEqual(['<wanted@example.com>']);
  });

  it('should find a message another client moved away (UID gone) by Message-ID in the search folders', async () => {
    const seen = await seed('elsewhere', 'moved-away@example.com');
    const client = await connect('elsewhere');
    const other = await connect('elsewhere');
    const lock = await other.getMailboxLock('INBOX');
    await other.messageMove(String(seen.uid), 'Archive', { uid: true }).finally(() => lock.release());

    const outcome = await moveImapMessage(client, { message: seen, to: 'Junk', searchFolders: ['Archive', 'Trash'] });

    expect(outcome).toMatchObject({ result: 'moved', fromFolder: 'Archive', toFolder: 'Junk', uid: expect.any(Number) });
    expect(await idsIn(client, 'Archive')).toEqual([]);
    expect(await idsIn(client, 'Junk')).toEqual(['<moved-away@example.com>']);
  });

  it('should answer not-found when the message is nowhere, and leave every folder alone', async () => {
    const kept = await seed('nowhere', 'kept@example.com');
    const client = await connect('nowhere');

    const byId = await moveImapMessage(client, {
      message: { folder: 'INBOX', uidValidity: kept.uidValidity, uid: kept.uid + 10, messageIdHeader: 'gone@example.com' },
      to: 'Junk',
      searchFolders: ['Archive', 'No such folder'],
    });
    const byUidOnly = await moveImapMessage(client, { message: { folder: 'INBOX', uidValidity: kept.uidValidity + 1, uid: kept.uid }, to: 'Junk', searchFolders: ['Archive'] });

    expect(byId).toEqual({ result: 'not-found', reason: expect.stringContaining('<gone@example.com>') });
    expect(byUidOnly).toEqual({ result: 'not-found', reason: expect.stringContaining(`UID ${kept.uid}`) });
    expect(await idsIn(client, 'INBOX')).toEqual(['<kept@example.com>']);
    expect(await idsIn(client, 'Junk')).toEqual([]);
  });
});

describe(`${moveImapMessage.name} in a mailbox with a copy per recipient`, () => {
  it("should move the copy of the recorded size when the UID no longer holds, not another recipient's copy with a lower UID", async () => {
    const [annas, benjamins] = await seedCopies('copies', 'team-offer@example.com', ['anna@example.com', 'benjamin@example.com']);
    const client = await connect('copies');
    const size = await sizeOf(client, benjamins!);
    expect(await sizeOf(client, annas!)).not.toBe(size);

    // INBOX got a new UIDVALIDITY since Benjamin's copy was fetched.
    const outcome = await moveImapMessage(client, { message: { ...benjamins!, uidValidity: benjamins!.uidValidity + 1, size }, to: 'Junk', searchFolders: [] });

    expect(outcome).toMatchObject({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk', uid: expect.any(Number) });
    expect(await copiesIn(client, 'Junk')).toEqual([{ uid: (outcome as { uid: number }).uid, deliveredTo: 'benjamin@example.com', size }]);
    expect(await copiesIn(client, 'INBOX')).toEqual([expect.objectContaining({ uid: annas!.uid, deliveredTo: 'anna@example.com' })]);
  });

  it('should move nothing when two copies of the recorded size match, yet move the one its valid UID names', async () => {
    const [annas, berts] = await seedCopies('samesize', 'same-size@example.com', ['anna@example.com', 'bert@example.com']);
    const client = await connect('samesize');
    const size = await sizeOf(client, berts!);
    expect(await sizeOf(client, annas!)).toBe(size);

    const stale = await moveImapMessage(client, { message: { ...berts!, uidValidity: berts!.uidValidity + 1, size }, to: 'Junk', searchFolders: ['Archive'] });

    expect(stale).toEqual({ result: 'ambiguous', folder: 'INBOX', reason: `2 messages with Message-ID <same-size@example.com> and size ${size} in INBOX; not moved, to avoid moving another recipient's copy` });
    expect(await copiesIn(client, 'Junk')).toEqual([]);
    expect((await copiesIn(client, 'INBOX')).map(({ deliveredTo }) => deliveredTo)).toEqual(['anna@example.com', 'bert@example.com']);

    const byUid = await moveImapMessage(client, { message: { ...berts!, size }, to: 'Junk', searchFolders: [] });
    expect(byUid).toMatchObject({ result: 'moved', fromFolder: 'INBOX' });
    expect((await copiesIn(client, 'Junk')).map(({ deliveredTo }) => deliveredTo)).toEqual(['bert@example.com']);
  });

  it('should move nothing when the size is unknown and several messages have the Message-ID, but still move a single one', async () => {
    const [, benjamins] = await seedCopies('nosize', 'no-size@example.com', ['anna@example.com', 'benjamin@example.com']);
    const single = await seed('nosize', 'single@example.com');
    const client = await connect('nosize');

    const several = await moveImapMessage(client, { message: { ...benjamins!, uidValidity: benjamins!.uidValidity + 1 }, to: 'Junk', searchFolders: [] });
    const one = await moveImapMessage(client, { message: { ...single, uidValidity: single.uidValidity + 1 }, to: 'Junk', searchFolders: [] });

    expect(several).toEqual({ result: 'ambiguous', folder: 'INBOX', reason: expect.stringMatching(/^2 messages with Message-ID <no-size@example\.com> in INBOX \(no size recorded.*; not moved/) });
    expect(one).toMatchObject({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk' });
    expect(await idsIn(client, 'Junk')).toEqual(['<single@example.com>']);
    expect(await idsIn(client, 'INBOX')).toEqual(['<no-size@example.com>', '<no-size@example.com>']);
  });
});

describe(deleteImapMessage.name, () => {
  it('should expunge only that UID, leaving another message flagged \\Deleted in place', async () => {
    const doomed = await seed('delete', 'doomed@example.com');
    const flagged = await seed('delete', 'flagged@example.com', { flags: ['\\Deleted'] });
    const client = await connect('delete');

    const outcome = await deleteImapMessage(client, { message: doomed, searchFolders: [] });

    expect(outcome).toEqual({ result: 'deleted', folder: 'INBOX', uid: doomed.uid, expunged: true });
    expect(await messagesIn(client, 'INBOX')).toEqual([{ uid: flagged.uid, messageId: '<flagged@example.com>', flags: ['\\Deleted'] }]);
  });

  it('should find a moved message by Message-ID and answer not-found once it is gone', async () => {
    const seen = await seed('delete', 'in-trash@example.com', { folder: 'Trash' });
    const client = await connect('delete');

    const outcome = await deleteImapMessage(client, { message: { ...seen, folder: 'INBOX' }, searchFolders: ['Junk', 'Trash'] });
    const again = await deleteImapMessage(client, { message: seen, searchFolders: ['INBOX', 'Junk'] });

    expect(outcome).toEqual({ result: 'deleted', folder: 'Trash', uid: seen.uid, expunged: true });
    expect(again).toMatchObject({ result: 'not-found' });
    expect(await messagesIn(client, 'Trash')).toEqual([]);
  });
});

describe(`${deleteImapMessage.name} in a mailbox with a copy per recipient`, () => {
  it('should delete the copy of the recorded size alone, and delete nothing while two copies match', async () => {
    const [annas, benjamins] = await seedCopies('delcopies', 'del-copies@example.com', ['anna@example.com', 'benjamin@example.com']);
    const [carls, doras] = await seedCopies('delcopies', 'del-same@example.com', ['carl@example.com', 'dora@example.com']);
    const client = await connect('delcopies');
    const stale = (copy: typeof annas, size: number) => ({ ...copy!, uidValidity: copy!.uidValidity + 1, size });

    const deleted = await deleteImapMessage(client, { message: stale(benjamins, await sizeOf(client, benjamins!)), searchFolders: ['Junk'] });
    const ambiguous = await deleteImapMessage(client, { message: stale(doras, await sizeOf(client, doras!)), searchFolders: ['Junk'] });

    expect(deleted).toEqual({ result: 'deleted', folder: 'INBOX', uid: benjamins!.uid, expunged: true });
    expect(ambiguous).toMatchObject({ result: 'ambiguous', folder: 'INBOX', reason: expect.stringMatching(/^2 messages with Message-ID <del-same@example\.com> and size \d+ in INBOX; not deleted/) });
    expect((await copiesIn(client, 'INBOX')).map(({ uid, deliveredTo }) => [uid, deliveredTo])).toEqual([
      [annas!.uid, 'anna@example.com'],
      [carls!.uid, 'carl@example.com'],
      [doras!.uid, 'dora@example.com'],
    ]);
  });
});

describe(appendImapMessageOnce.name, () => {
  it('should store one \\Seen copy however often it is called with the same Message-ID', async () => {
    const client = await connect('append');
    const input = { folder: 'Sent', raw: rawMessage('sent-1@example.com'), messageIdHeader: 'sent-1@example.com' };

    const first = await appendImapMessageOnce(client, input);
    const second = await appendImapMessageOnce(client, input);

    expect(first).toEqual({ uidValidity: expect.any(Number), uid: expect.any(Number), alreadyPresent: false, created: false });
    expect(second).toEqual({ ...first, alreadyPresent: true });
    expect(await messagesIn(client, 'Sent')).toEqual([{ uid: first.uid, messageId: '<sent-1@example.com>', flags: ['\\Seen'] }]);
  });

  it('should create a missing folder when asked to, and refuse otherwise', async () => {
    const client = await connect('append');
    const input = { folder: 'Gesendete Objekte', raw: rawMessage('sent-2@example.com'), messageIdHeader: '<sent-2@example.com>', flags: ['$Forwarded'] };

    await expect(appendImapMessageOnce(client, input)).rejects.toThrow(/does not exist/);
    const outcome = await appendImapMessageOnce(client, { ...input, createIfMissing: true });

    expect(outcome).toMatchObject({ alreadyPresent: false, created: true, uid: expect.any(Number) });
    expect(await messagesIn(client, 'Gesendete Objekte')).toEqual([{ uid: outcome.uid, messageId: '<sent-2@example.com>', flags: ['$Forwarded', '\\Seen'] }]);
    expect((await client.list()).find(({ path }) => path === 'Gesendete Objekte')?.subscribed).toBe(true);
  });
});

describe(ensureJunkFolder.name, () => {
  it('should find Dovecot’s \\Junk special-use folder without creating anything', async () => {
    const client = await connect('junkfolder');
    const before = (await client.list()).map(({ path }) => path);

    expect(await ensureJunkFolder(client, { create: true })).toMatchObject({ path: 'Junk', specialUse: '\\Junk' });
    expect((await client.list()).map(({ path }) => path)).toEqual(before);
  });
});
