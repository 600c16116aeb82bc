import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '@mailbus/testing';
import { appendImapMessageOnce, deleteImapMessage, moveImapMessage } from '../src';
import { dovecotCapabilitiesWithout, messagesIn, rawMessage, useTestDovecot } from './fixtures/imap-test-client.util';

// A server with neither MOVE nor UIDPLUS: only a plain EXPUNGE, which removes every \Deleted message of the folder.
// (Dovecot still answers APPEND with APPENDUID, which imapflow reads, so no search after APPEND is needed here.)
const imap = useTestDovecot({ usernames: ['move', 'delete', 'append'], imapCapability: dovecotCapabilitiesWithout('MOVE', 'UIDPLUS') });

const connect = async (username: string): Promise<{ client: ImapFlow; commands: string[] }> => {
  const connection = await imap.connect(username);
  expect(connection.client.capabilities.has('UIDPLUS')).toBe(false);
  return connection;
};

const seed = async (username: string, messageId: string, flags: string[] = []) => {
  const { uid, uidValidity } = await appendMessage({ dovecot: imap.dovecot, username, raw: rawMessage(messageId), flags });
  return { folder: 'INBOX', uid, uidValidity: Number(uidValidity), messageIdHeader: messageId };
};

const expunges = (commands: string[]): string[] => commands.filter((command) => /\bEXPUNGE\b/.test(command));

describe(moveImapMessage.name, () => {
  it('should copy and flag \\Deleted without expunging, so other \\Deleted messages stay', async () => {
    const seen = await seed('move', 'copied@example.com');
    const other = await seed('move', 'other-deleted@example.com', ['\\Deleted']);
    const { client, commands } = await connect('move');

    const outcome = await moveImapMessage(client, { message: seen, to: 'Junk', searchFolders: [] });

    const [inJunk] = await messagesIn(client, 'Junk');
    expect(outcome).toEqual({ result: 'moved', fromFolder: 'INBOX', toFolder: 'Junk', uidValidity: expect.any(Number), uid: inJunk!.uid, sourceLeftFlaggedDeleted: true });
    expect(inJunk).toMatchObject({ messageId: '<copied@example.com>' });
    expect(expunges(commands)).toEqual([]);
    expect(await messagesIn(client, 'INBOX')).toEqual([
      { uid: seen.uid, messageId: '<copied@example.com>', flags: ['\\Deleted'] },
      { uid: other.uid, messageId: '<other-deleted@example.com>', flags: ['\\Deleted'] },
    ]);
  });
});

describe(deleteImapMessage.name, () => {
  it('should only flag the message \\Deleted and say it did not expunge', async () => {
    const seen = await seed('delete', 'to-delete@example.com');
    const other = await seed('delete', 'kept-deleted@example.com', ['\\Deleted']);
    const { client, commands } = await connect('delete');

    const outcome = await deleteImapMessage(client, { message: seen, searchFolders: [] });

    expect(outcome).toEqual({ result: 'deleted', folder: 'INBOX', uid: seen.uid, expunged: false });
    expect(expunges(commands)).toEqual([]);
    expect((await messagesIn(client, 'INBOX')).map(({ uid, flags }) => [uid, flags])).toEqual([
      [seen.uid, ['\\Deleted']],
      [other.uid, ['\\Deleted']],
    ]);
  });
});

describe(appendImapMessageOnce.name, () => {
  it('should store one copy and report its UID', async () => {
    const { client } = await connect('append');
    const input = { folder: 'Sent', raw: rawMessage('no-appenduid@example.com'), messageIdHeader: 'no-appenduid@example.com' };

    const first = await appendImapMessageOnce(client, input);
    const second = await appendImapMessageOnce(client, input);

    const stored = await messagesIn(client, 'Sent');
    expect(stored).toEqual([{ uid: expect.any(Number), messageId: '<no-appenduid@example.com>', flags: ['\\Seen'] }]);
    expect(first).toEqual({ uidValidity: expect.any(Number), uid: stored[0]!.uid, alreadyPresent: false, created: false });
    expect(second).toEqual({ ...first, alreadyPresent: true });
  });
});
