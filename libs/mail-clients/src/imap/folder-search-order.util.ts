/** IMAP folder names are case-sensitive, except INBOX (RFC 3501 §5.1). */
export function sameFolder(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}

/**
 * Where to look for a message, in order: the folder it was last seen in, then the other folders,
 * each once; `last` (a move's destination) at the end, so that a message found there was found
 * nowhere else.
 */
export function folderSearchOrder({ seenIn, searchFolders, last }: { seenIn: string; searchFolders: readonly string[]; last?: string }): string[] {
  const order: string[] = [];
  for (const folder of [seenIn, ...searchFolders]) {
    if (last !== undefined && sameFolder(folder, last)) continue;
    if (!order.some((known) => sameFolder(known, folder))) order.push(folder);
  }
  return last === undefined ? order : [...order, last];
}
