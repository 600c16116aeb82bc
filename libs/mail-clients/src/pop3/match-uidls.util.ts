import type { Pop3UidInfo } from './pop3.client';

/**
 * Message numbers of this session for the wanted UIDLs (each once, in the order asked), and the
 * UIDLs the server does not list (gone already, or never there).
 */
export function matchUidls({ listing, uidls }: { listing: readonly Pop3UidInfo[]; uidls: readonly string[] }): { found: Pop3UidInfo[]; missing: string[] } {
  const byUid = new Map(listing.map((entry) => [entry.uid, entry]));
  const found: Pop3UidInfo[] = [];
  const missing: string[] = [];
  for (const uid of new Set(uidls)) {
    const entry = byUid.get(uid);
    if (entry) found.push(entry);
    else missing.push(uid);
  }
  return { found, missing };
}
