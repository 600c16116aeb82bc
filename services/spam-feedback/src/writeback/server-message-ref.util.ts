import { MailProtocol, type ServerLocation } from '@mailbus/contracts';
import type { ServerMessageRef } from '@mailbus/mail-clients';

const INBOX = 'INBOX';

/**
 * Where to start looking for a message on its IMAP server: the location message-router last recorded.
 * A message that mailbus only sent (no IMAP location) is looked for from INBOX, by its Message-ID. The
 * size tells copies with one Message-ID apart, and is taken only where such copies are kept (a
 * multidrop mailbox keeps one per recipient) and only from an IMAP fetch: the stored size is the
 * bytes fetched, and a server that estimates RFC822.SIZE (Exchange) or a POP3 LIST size would hide
 * the only copy of an ordinary mailbox from the search.
 */
export function serverMessageRef(location: ServerLocation | undefined, { multidrop = false }: { multidrop?: boolean } = {}): ServerMessageRef {
  const imap = location?.protocol === MailProtocol.IMAP;
  return {
    folder: imap && location.folder ? location.folder : INBOX,
    ...(location?.uidValidity ? { uidValidity: location.uidValidity } : {}),
    ...(location?.uid ? { uid: location.uid } : {}),
    ...(location?.messageIdHeader ? { messageIdHeader: location.messageIdHeader } : {}),
    ...(imap && multidrop && location.size ? { size: location.size } : {}),
  };
}

/** Where else a message may be when its recorded UID is gone: INBOX, the folders the account syncs, and Junk. */
export function searchFoldersFor({ syncedFolders, junkFolder }: { syncedFolders: readonly string[]; junkFolder?: string }): string[] {
  return [...new Set([INBOX, ...syncedFolders, ...(junkFolder ? [junkFolder] : [])])];
}
