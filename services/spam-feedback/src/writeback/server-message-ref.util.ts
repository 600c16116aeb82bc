import { MailProtocol, type ServerLocation } from '@mailbus/contracts';
import type { ServerMessageRef } from '@mailbus/mail-clients';

const INBOX = 'INBOX';

/**
 * Where to start looking for a message on its IMAP server: the location message-router last recorded.
 * A message that mailbus only sent (no IMAP location) is looked for from INBOX, by its Message-ID.
 */
export function serverMessageRef(location: ServerLocation | undefined): ServerMessageRef {
  return {
    folder: location?.protocol === MailProtocol.IMAP && location.folder ? location.folder : INBOX,
    ...(location?.uidValidity ? { uidValidity: location.uidValidity } : {}),
    ...(location?.uid ? { uid: location.uid } : {}),
    ...(location?.messageIdHeader ? { messageIdHeader: location.messageIdHeader } : {}),
  };
}

/** Where else a message may be when its recorded UID is gone: INBOX, the folders the account syncs, and Junk. */
export function searchFoldersFor({ syncedFolders, junkFolder }: { syncedFolders: readonly string[]; junkFolder?: string }): string[] {
  return [...new Set([INBOX, ...syncedFolders, ...(junkFolder ? [junkFolder] : [])])];
}
