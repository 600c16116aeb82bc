import type { MailFolder } from './mail-folder';

/** The MailFolder fields the lookup reads. */
export type FolderCandidate = Pick<MailFolder, 'path' | 'delimiter' | 'specialUse' | 'flags' | 'selectable'>;

const UNSELECTABLE = new Set(['\\noselect', '\\nonexistent']);

const isSelectable = (folder: FolderCandidate): boolean => folder.selectable && !folder.flags.some((flag) => UNSELECTABLE.has(flag.toLowerCase()));

/** Lowercase NFC segments joined by '/', without a leading INBOX; whether there was one. */
function normalizedName(folder: FolderCandidate): { name: string; underInbox: boolean } {
  const segments = folder.path
    .normalize('NFC')
    .toLowerCase()
    .split(folder.delimiter || /[/.]/);
  const underInbox = segments.length > 1 && segments[0] === 'inbox';
  return { name: (underInbox ? segments.slice(1) : segments).join('/'), underInbox };
}

/**
 * The selectable folder with the special use (from the server's SPECIAL-USE flags), else the best
 * known name: earlier in `knownNames` wins, and at top level before the same name under INBOX
 * (Courier and Cyrus keep everything under INBOX). Names are compared lowercase and NFC, with any
 * delimiter written as '/', so '[Gmail]/Spam' also matches '[Gmail].Spam'.
 */
export function findFolderByUseOrName<T extends FolderCandidate>({
  folders,
  specialUse,
  knownNames,
}: {
  folders: readonly T[];
  specialUse: string;
  /** Lowercase, NFC, '/' between segments. */
  knownNames: readonly string[];
}): T | undefined {
  const selectable = folders.filter(isSelectable);
  const wanted = specialUse.toLowerCase();
  const special = selectable.find((folder) => folder.specialUse?.toLowerCase() === wanted || folder.flags.some((flag) => flag.toLowerCase() === wanted));
  if (special) return special;
  let best: { folder: T; rank: number } | undefined;
  for (const folder of selectable) {
    const { name, underInbox } = normalizedName(folder);
    const index = knownNames.indexOf(name);
    if (index === -1) continue;
    const rank = index * 2 + (underInbox ? 1 : 0);
    if (!best || rank < best.rank) best = { folder, rank };
  }
  return best?.folder;
}
