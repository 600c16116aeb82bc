import { describe, expect, it } from 'vitest';
import { createAccountSchema } from '@mailbus/contracts';
import { normalizeAccountSettings } from './account-normalize.util';

const withFolders = (folders: string[]) => createAccountSchema.parse({ name: 'A', email: 'a@example.com', owners: ['u1'], receive: { protocol: 'imap', host: 'imap.example.com', username: 'u', folders } });

describe('normalizeAccountSettings', () => {
  it('should spell INBOX in capitals whatever letter case it was given in', () => {
    expect(normalizeAccountSettings(withFolders(['inbox', 'Sent', 'Inbox/Projects'])).settings.receive?.folders).toEqual(['INBOX', 'Sent', 'Inbox/Projects']);
    expect(normalizeAccountSettings(withFolders(['InBoX'])).settings.receive?.folders).toEqual(['INBOX']);
  });

  it('should list INBOX once when it was given in two spellings', () => {
    expect(normalizeAccountSettings(withFolders(['INBOX', 'Archive', 'inbox'])).settings.receive?.folders).toEqual(['INBOX', 'Archive']);
  });
});
