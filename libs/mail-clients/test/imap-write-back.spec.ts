import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '@mailbus/testing';
import { appendImapMessageOnce, deleteImapMessage, ensureJunkFolder, moveImapMessage } from '../src';
import { messagesIn, rawMessage, useTestDovecot } from './fixtures/imap-test-client.util';

const USERS = ['move', 'stale', 'elsewhere', 'nowhere', 'delete', 'append', 'junkfolder'];

const imap = useTestDovecot({ usernames: USERS });

const connect = async (username: string): Promise<ImapFlow> => (await imap.connect(username)).client;

const seed = async (username: string, messageId: string, { folder = 'INBOX', flags = [] }: { folder?: string; flags?: string[] } = {}) => {
  const { uid, uidValidity } = await appendMessage({ dovecot: imap.dovecot, username, folder, raw: rawMessage(messageId), flags });
  return { folder, uid, uidValidity: Number(uidValidity), messageIdHeader: messageId };
};

const idsIn = async (client: ImapFlow, folder: string): Promise<(string | undefined)[]> => (await messagesIn(client, folder)).map(({ messageId }) => messageId);

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
