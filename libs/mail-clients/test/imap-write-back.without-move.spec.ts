import { describe, expect, it } from 'vitest';
import { appendMessage } from '@mailbus/testing';
import { ensureJunkFolder, moveImapMessage } from '../src';
import { dovecotCapabilitiesWithout, messagesIn, rawMessage, useTestDovecot } from './fixtures/imap-test-client.util';

// A server without MOVE and without special-use folders: each user starts with INBOX alone.
const imap = useTestDovecot({ usernames: ['nomove', 'spam', 'nojunk'], imapCapability: dovecotCapabilitiesWithout('MOVE'), specialUseFolders: [] });
const connect = imap.connect;

describe(moveImapMessage.name, () => {
  it('should fall back to UID COPY, \\Deleted and UID EXPUNGE of that UID alone when the server lacks MOVE', async () => {
    const moved = await appendMessage({ dovecot: imap.dovecot, username: 'nomove', raw: rawMessage('no-move@example.com') });
    const flagged = await appendMessage({ dovecot: imap.dovecot, username: 'nomove', raw: rawMessage('flagged@example.com'), flags: ['\\Deleted'] });
    const { client, commands } = await connect('nomove');
    expect(client.capabilities.has('MOVE')).toBe(false);
    const junk = await ensureJunkFolder(client, { create: true });

    const outcome = await moveImapMessage(client, {
      message: { folder: 'INBOX', uidValidity: Number(moved.uidValidity), uid: moved.uid, messageIdHeader: 'no-move@example.com' },
      to: junk!.path,
      searchFolders: [],
      keywords: { add: ['$Junk'] },
    });

    expect(outcome).toMatchObject({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk', uidValidity: expect.any(Number), uid: expect.any(Number) });
    expect(outcome).not.toHaveProperty('sourceLeftFlaggedDeleted');
    expect(commands.some((command) => /\bMOVE\b/.test(command))).toBe(false);
    expect(commands).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`UID COPY ${moved.uid} `)), expect.stringMatching(new RegExp(`UID EXPUNGE ${moved.uid}$`))]));
    expect(await messagesIn(client, 'INBOX')).toEqual([{ uid: flagged.uid, messageId: '<flagged@example.com>', flags: ['\\Deleted'] }]);
    expect(await messagesIn(client, 'Junk')).toEqual([{ uid: (outcome as { uid: number }).uid, messageId: '<no-move@example.com>', flags: ['$Junk'] }]);
  });
});

describe(ensureJunkFolder.name, () => {
  it('should find a folder named Spam that has no special use', async () => {
    const { client } = await connect('spam');
    await client.mailboxCreate('Spam');
    expect((await client.list()).find(({ path }) => path === 'Spam')?.flags.has('\\Junk')).toBe(false);

    expect(await ensureJunkFolder(client, { create: false })).toMatchObject({ path: 'Spam' });
    expect(await ensureJunkFolder(client, { create: true })).toMatchObject({ path: 'Spam' });
    expect((await client.list()).map(({ path }) => path)).toEqual(['INBOX', 'Spam']);
  });

  it('should answer undefined without create, and create and subscribe a plain Junk with it', async () => {
    const { client, commands } = await connect('nojunk');

    expect(await ensureJunkFolder(client, { create: false })).toBeUndefined();
    const created = await ensureJunkFolder(client, { create: true });

    expect(created).toMatchObject({ path: 'Junk', subscribed: true, selectable: true });
    // A plain CREATE: no USE list.
    expect(commands.filter((command) => /\bCREATE\b/.test(command))).toEqual([expect.not.stringContaining('USE')]);
    expect(await ensureJunkFolder(client, { create: false })).toMatchObject({ path: 'Junk' });
  });
});
