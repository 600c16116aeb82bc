import { describe, expect, it, vi } from 'vitest';
import { SecretDecryptError, type SecretBox } from '@mailbus/crypto';
import type { AccountDocument } from '@mailbus/directory';
import { SentFolderAppender } from './sent-folder.appender';
import type { SentFolderSessions } from './sent-folder-sessions';

const account = {
  _id: 'acc1',
  email: 'sales@example.com',
  revision: 1,
  receive: { protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'sales', passwordSealed: 'mb1.gone.sealed' },
  send: { enabled: true, host: 'smtp.example.com', port: 587, security: 'starttls', appendToSent: 'always' },
} as unknown as AccountDocument;

describe(SentFolderAppender.name, () => {
  it('should report a failed copy, not throw, when the keyring cannot open the IMAP password', async () => {
    const sessions = { run: vi.fn() };
    const box = { open: () => { throw new SecretDecryptError('sealed with key gone, which is not in MAILBUS_SECRET_KEY (context account:acc1:receive)'); } };
    const sut = new SentFolderAppender(sessions as unknown as SentFolderSessions, box as unknown as SecretBox);

    const outcome = await sut.append({ account, raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageIdHeader: '<n1@example.com>' });

    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringContaining('sealed with key gone, which is not in MAILBUS_SECRET_KEY') });
    expect(sessions.run).not.toHaveBeenCalled();
  });
});
