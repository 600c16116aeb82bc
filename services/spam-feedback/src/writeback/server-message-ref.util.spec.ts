import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MailProtocol, ServerLocationSchema } from '@mailbus/contracts';
import { searchFoldersFor, serverMessageRef } from './server-message-ref.util';

describe(serverMessageRef.name, () => {
  it('should start from the recorded IMAP folder and UID, with the Message-ID to find it again', () => {
    const location = create(ServerLocationSchema, { protocol: MailProtocol.IMAP, folder: 'Junk', uidValidity: 7, uid: 42, messageIdHeader: '<a@example.com>' });
    expect(serverMessageRef(location)).toEqual({ folder: 'Junk', uidValidity: 7, uid: 42, messageIdHeader: '<a@example.com>' });
  });

  it('should look from INBOX by Message-ID alone for mail mailbus sent and never saw in a folder', () => {
    const location = create(ServerLocationSchema, { protocol: MailProtocol.UNSPECIFIED, messageIdHeader: '<sent@example.com>' });
    expect(serverMessageRef(location)).toEqual({ folder: 'INBOX', messageIdHeader: '<sent@example.com>' });
    expect(serverMessageRef(undefined)).toEqual({ folder: 'INBOX' });
  });
});

describe(searchFoldersFor.name, () => {
  it('should search INBOX, the synced folders and Junk, each once', () => {
    expect(searchFoldersFor({ syncedFolders: ['INBOX', 'Sent', 'Junk'], junkFolder: 'Junk' })).toEqual(['INBOX', 'Sent', 'Junk']);
    expect(searchFoldersFor({ syncedFolders: ['Archive'] })).toEqual(['INBOX', 'Archive']);
  });
});
