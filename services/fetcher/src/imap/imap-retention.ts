import type { ImapFlow } from 'imapflow';
import type { FolderCheckpointDocument } from '../sync-status/sync-state.documents';

const DAY_MS = 86_400_000;

/** What retention needs to know of a folder the fetcher syncs. */
export interface SyncedFolder {
  checkpoint: FolderCheckpointDocument;
  /** When the message under each UID (of this UIDVALIDITY) was first stored: by its fetch record, or the record the sync relinked it to; a UID with neither is absent. */
  firstSeen: (input: { uidValidity: number; uids: number[] }) => Promise<Map<number, Date>>;
}

/**
 * deleteAfterDays on an IMAP server, in INBOX, Junk and Sent. Returns how many messages were deleted.
 *
 * In a folder the fetcher syncs (rule 14), a message goes once its fetch record, under the folder's
 * current UIDVALIDITY, is older than N days: only what is stored goes, and it stays N days after the
 * fetcher first saw it, whatever its INTERNALDATE (an old message moved into INBOX is not expunged by
 * the run that first stores it). A message the sync found stored already and did not store again (a
 * folder rebuilt under a new UIDVALIDITY, a Gmail label of a message stored from another folder) has
 * no record of its own: the sync remembered which record it is, and that record's fetchedAt counts.
 * A checkpoint cursor is no proof: it can pass UIDs that were never stored. The server's SEARCH
 * BEFORE stays as a cheap pre-filter: a message is stored after it arrived in the folder, so
 * first-seen is not before INTERNALDATE; where that fails (an APPEND with a future date, a server
 * clock ahead of ours, a rebuilt folder whose copies got today's INTERNALDATE; SEARCH also counts
 * whole days) the message only stays longer, it is never lost.
 *
 * Junk and Sent that are not synced are housekept by INTERNALDATE: the operator asked for "delete
 * from the server's Spam and Sent after N days" (FlowFact); nothing of them is stored, so nothing of
 * them is first-seen.
 */
export async function deleteExpiredMessages({ client, path, deleteAfterDays, synced, now = Date.now() }: { client: ImapFlow; path: string; deleteAfterDays: number; synced?: SyncedFolder; now?: number }): Promise<number> {
  // Without UIDPLUS the only EXPUNGE there is would also remove messages other clients marked \Deleted.
  if (!client.capabilities.has('UIDPLUS')) throw new Error(`${path}: the server lacks UIDPLUS, so old messages cannot be deleted without touching others; retention skipped`);
  const lock = await client.getMailboxLock(path);
  try {
    const uidValidity = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    // Synced, but the folder was rebuilt since the last run: no record is under this UIDVALIDITY yet.
    if (synced && synced.checkpoint.uidValidity !== uidValidity) return 0;
    const cutoff = new Date(now - deleteAfterDays * DAY_MS);
    const found = await client.search({ before: cutoff }, { uid: true });
    if (!found) throw new Error(`${path}: the server refused UID SEARCH BEFORE`);
    const deletable = synced ? await storedBefore({ client, path, synced, uidValidity, uids: found, cutoff }) : found;
    if (deletable.length === 0) return 0;
    if (!(await client.messageDelete(deletable, { uid: true }))) throw new Error(`${path}: the server refused to delete ${deletable.length} expired messages`);
    return deletable.length;
  } finally {
    lock.release();
  }
}

/**
 * Of `uids`, those stored before `cutoff`. The checkpoint's cursors first rule out, without a lookup,
 * what cannot be stored (above the cursor, a backlog still to come, left out by onlySinceDays, given
 * up), so that a mailbox whose old mail is left on the server on purpose costs no record lookups; the
 * fetch records then decide, since a cursor can pass UIDs that were never stored.
 */
async function storedBefore({ client, path, synced, uidValidity, uids, cutoff }: { client: ImapFlow; path: string; synced: SyncedFolder; uidValidity: number; uids: number[]; cutoff: Date }): Promise<number[]> {
  if (uids.length === 0) return [];
  const { checkpoint } = synced;
  const leftOnPurpose = await skippedByOnlySinceDays({ client, path, checkpoint });
  const candidates = uids.filter((uid) => maybeStored(uid, checkpoint) && !leftOnPurpose.has(uid));
  if (candidates.length === 0) return [];
  return expiredByFirstSeen({ uids: candidates, firstSeen: await synced.firstSeen({ uidValidity, uids: candidates }), cutoff });
}

/** The first sync took only the last N days; what it left below is not stored. */
async function skippedByOnlySinceDays({ client, path, checkpoint }: { client: ImapFlow; path: string; checkpoint: FolderCheckpointDocument }): Promise<Set<number>> {
  if (!checkpoint.backfillSince || !checkpoint.firstSyncHeadUid) return new Set();
  const found = await client.search({ uid: `1:${checkpoint.firstSyncHeadUid}`, before: checkpoint.backfillSince }, { uid: true });
  if (!found) throw new Error(`${path}: the server refused UID SEARCH BEFORE`);
  return new Set(found);
}

/** Not ruled out by the cursors; only a fetch record shows that it is stored. */
function maybeStored(uid: number, checkpoint: FolderCheckpointDocument): boolean {
  if (uid > checkpoint.lastUid) return false;
  if (checkpoint.backfillBelowUid !== undefined && uid < checkpoint.backfillBelowUid) return false;
  return !(checkpoint.failedUids ?? []).some((failed) => failed.uid === uid);
}

/** The UIDs whose fetch record was first written before `cutoff`; a UID without a record is never expired. */
export function expiredByFirstSeen({ uids, firstSeen, cutoff }: { uids: number[]; firstSeen: Map<number, Date>; cutoff: Date }): number[] {
  return uids.filter((uid) => {
    const seen = firstSeen.get(uid);
    return seen !== undefined && seen.getTime() < cutoff.getTime();
  });
}

/**
 * Which LIST path each configured folder is synced from, as imapflow opens it: INBOX in any case
 * (RFC 3501), otherwise the name inside the personal namespace ("Sent" is "INBOX.Sent" on a server
 * with the "INBOX." prefix), otherwise the name as written. Keyed by LIST path; the value is the
 * configured name, under which the folder's checkpoint and fetch records are kept.
 */
export function syncedListPaths({ folders, listed, namespace }: { folders: string[]; listed: string[]; namespace?: { prefix?: string | null; delimiter?: string | null } }): Map<string, string> {
  const synced = new Map<string, string>();
  for (const folder of folders) {
    const path = listedPathOf({ folder, listed: new Set(listed), namespace });
    if (path !== undefined && !synced.has(path)) synced.set(path, folder);
  }
  return synced;
}

function listedPathOf({ folder, listed, namespace }: { folder: string; listed: Set<string>; namespace?: { prefix?: string | null; delimiter?: string | null } }): string | undefined {
  if (folder.toUpperCase() === 'INBOX') return [...listed].find((path) => path.toUpperCase() === 'INBOX');
  const prefix = namespace?.prefix ?? '';
  const delimiter = namespace?.delimiter ?? '';
  const candidates = prefix && !folder.startsWith(prefix) ? [prefix + folder, ...(delimiter && !prefix.endsWith(delimiter) ? [prefix + delimiter + folder] : []), folder] : [folder];
  return candidates.find((candidate) => listed.has(candidate));
}
