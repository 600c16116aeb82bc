import { FolderRole } from '@mailbus/contracts';

/** INBOX by name (RFC 3501: case-insensitive), Sent and Junk by their special-use flag (RFC 6154). */
export function folderRole({ path, specialUse }: { path: string; specialUse?: string }): FolderRole {
  if (path.toUpperCase() === 'INBOX') return FolderRole.INBOX;
  if (specialUse === '\\Sent') return FolderRole.SENT;
  if (specialUse === '\\Junk') return FolderRole.JUNK;
  return FolderRole.OTHER;
}
