import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MailProtocol, ServerLocationSchema } from '@mailbus/contracts';
import { searchFoldersFor, serverMessageRef } from './server-message-ref.util';

describe(serverMessageRef.name, () => {
  it('should start from the recorded IMAP folder and UID, with the Message-ID to find it again', () => {
    const location = create(ServerLocationSchema, { protocol: MailProtocol.IMAP, folder: 'Junk', uidValidity: 7, uid: 42, messageIdHeader: '<a@example.com>' });
    expect(serverMessageRef(location)).toEqual({ folder: 'Junk', uidValidity: 7, uid: 42, messageIdHeader: '<a@example.com>' });
  });

  it('should carry the size an IMAP fetch recorded in a multidrop mailbox, so that the Message-ID search tells its copies apart', () => {
    const location = create(ServerLocationSchema, { protocol: MailProtocol.IMAP, folder: 'INBOX', uidValidity: 7, uid: 2, messageIdHeader: '<a@example.com>', size: 1843 });
    expect(serverMessageRef(location, { multidrop: true })).toEqual({ folder: 'INBOX', uidValidity: 7, uid: 2, messageIdHeader: '<a@example.com>', size: 1843 });
    // Elsewhere there is one copy, and a server that estimates RFC822.SIZE would hide it from the search.
    expect(serverMessageRef(location)).not.toHaveProperty('size');
    // 0 is unknown (older events); a POP3 LIST size need not be the IMAP RFC822.SIZE.
    expect(serverMessageRef(create(ServerLocationSchema, { protocol: MailProtocol.IMAP, folder: 'INBOX', messageIdHeader: '<a@example.com>', size: 0 }), { multidrop: true })).not.toHaveProperty('size');
    expect(serverMessageRef(create(ServerLocationSchema, { protocol: MailProtocol.POP3, uidl: 'u1', messageIdHeader: '<a@example.com>', size: 1843 }), { multidrop: true })).toEqual({ folder: 'INBOX', messageIdHeader: '<a@example.com>' });
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
