import type { ImapFlow } from 'imapflow';
import type { FetchedMessageDocument } from '../ingest/fetched-message.document';
import type { FolderCheckpointDocument } from '../sync-status/sync-state.documents';
import { checkCopies, type CopyCheckBudget, type CopyToCheck } from './relinked-copy.check';
import type { RelinkedMessageDocument } from './relinked-message.repository';

const DAY_MS = 86_400_000;

/** Since when the message under a UID counts as stored, and what must hold before it may go. */
export interface FirstStored {
  at: Date;
  /** Set when the only proof is a link made by a guess (Message-ID and size): the server's bytes must be the record's. */
  check?: Omit<CopyToCheck, 'uid'>;
}

/** What retention needs to know of a folder the fetcher syncs. */
export interface SyncedFolder {
  checkpoint: FolderCheckpointDocument;
  /** When the message under each UID (of this UIDVALIDITY) was first stored: by its fetch record, or the record the sync relinked it to; a UID with neither is absent. */
  firstSeen: (input: { uidValidity: number; uids: number[] }) => Promise<Map<number, FirstStored>>;
  /** The run's downloads for checking guessed links, shared by its folders. */
  checks: CopyCheckBudget;
}

/** What retention did in one folder. */
export interface RetentionResult {
  deleted: number;
  /** Due by a guessed link, but another message than the linked record: left on the server. */
  lookAlikes: CopyToCheck[];
  /** Due by a guessed link, not checked yet (the run's budget, or the server gave no bytes): left for a later run. */
  unchecked: number;
}

/**
 * deleteAfterDays on an IMAP server, in INBOX, Junk and Sent. Returns how many messages were deleted.
 *
 * In a folder the fetcher syncs (rule 14), a message goes once its fetch record, under the folder's
 * current UIDVALIDITY, is older than N days: only what is stored goes, and it stays N days after the
 * fetcher first saw it, whatever its INTERNALDATE (an old message moved into INBOX is not expunged by
 * the run that first stores it). A message the sync found stored already and did not store again (a
 * folder rebuilt under a new UIDVALIDITY, a Gmail label of a message stored from another folder) has
 * no record of its own: the sync remembered which record it is (linkedFirstStored says since when
 * it counts as stored), and where that link is a guess the message goes only once its bytes on the
 * server are the record's (a look-alike was never stored: deleting it would lose it).
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
export async function deleteExpiredMessages({ client, path, deleteAfterDays, synced, now = Date.now() }: { client: ImapFlow; path: string; deleteAfterDays: number; synced?: SyncedFolder; now?: number }): Promise<RetentionResult> {
  // Without UIDPLUS the only EXPUNGE there is would also remove messages other clients marked \Deleted.
  if (!client.capabilities.has('UIDPLUS')) throw new Error(`${path}: the server lacks UIDPLUS, so old messages cannot be deleted without touching others; retention skipped`);
  const lock = await client.getMailboxLock(path);
  try {
    const uidValidity = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    // Synced, but the folder was rebuilt since the last run: no record is under this UIDVALIDITY yet.
    if (synced && synced.checkpoint.uidValidity !== uidValidity) return { deleted: 0, lookAlikes: [], unchecked: 0 };
    const cutoff = new Date(now - deleteAfterDays * DAY_MS);
    const found = await client.search({ before: cutoff }, { uid: true });
    if (!found) throw new Error(`${path}: the server refused UID SEARCH BEFORE`);
    const { deletable, lookAlikes, unchecked } = synced ? await storedBefore({ client, path, synced, uidValidity, uids: found, cutoff }) : { deletable: found, lookAlikes: [], unchecked: 0 };
    if (deletable.length > 0 && !(await client.messageDelete(deletable, { uid: true }))) throw new Error(`${path}: the server refused to delete ${deletable.length} expired messages`);
    return { deleted: deletable.length, lookAlikes, unchecked };
  } finally {
    lock.release();
  }
}

/**
 * Of `uids`, those stored before `cutoff`. The checkpoint's cursors first rule out, without a lookup,
 * what cannot be stored (above the cursor, a backlog still to come, left out by onlySinceDays, given
 * up), so that a mailbox whose old mail is left on the server on purpose costs no record lookups; the
 * fetch records then decide, since a cursor can pass UIDs that were never stored. A UID due by a
 * guessed link is checked against the record's bytes first.
 */
async function storedBefore({ client, path, synced, uidValidity, uids, cutoff }: { client: ImapFlow; path: string; synced: SyncedFolder; uidValidity: number; uids: number[]; cutoff: Date }): Promise<Omit<RetentionResult, 'deleted'> & { deletable: number[] }> {
  const none = { deletable: [], lookAlikes: [], unchecked: 0 };
  if (uids.length === 0) return none;
  const { checkpoint } = synced;
  const leftOnPurpose = await skippedByOnlySinceDays({ client, path, checkpoint });
  const candidates = uids.filter((uid) => maybeStored(uid, checkpoint) && !leftOnPurpose.has(uid));
  if (candidates.length === 0) return none;
  const firstSeen = await synced.firstSeen({ uidValidity, uids: candidates });
  const due = expiredByFirstSeen({ uids: candidates, firstSeen, cutoff });
  const copies = due.flatMap((uid) => {
    const check = firstSeen.get(uid)?.check;
    return check ? [{ uid, ...check }] : [];
  });
  const sure = due.filter((uid) => !firstSeen.get(uid)?.check);
  if (copies.length === 0) return { ...none, deletable: sure };
  const checked = await checkCopies({ client, copies, budget: synced.checks });
  return { deletable: [...sure, ...checked.same].sort((a, b) => a - b), lookAlikes: checked.differ, unchecked: checked.waiting + checked.unread };
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

/** The UIDs first stored before `cutoff`; a UID without a record or link is never expired. */
export function expiredByFirstSeen({ uids, firstSeen, cutoff }: { uids: number[]; firstSeen: Map<number, Pick<FirstStored, 'at'>>; cutoff: Date }): number[] {
  return uids.filter((uid) => {
    const seen = firstSeen.get(uid)?.at;
    return seen !== undefined && seen.getTime() < cutoff.getTime();
  });
}

/**
 * Since when a relinked message counts as stored, and whether its bytes must be checked first; undefined
 * when the link proves nothing (its message was found to be another one, or the record has no sha256).
 * - The same folder under another UIDVALIDITY (a rebuild): the message was there all along, so the
 *   record's time counts.
 * - Another folder (a Gmail label, a server's \All folder), or the same folder under the same
 *   UIDVALIDITY (a message moved out and back in): it arrived here when the sync linked it, so not
 *   before then (rule 14: a message moved into INBOX is not expunged by the run that first sees it).
 * - Made by Message-ID and size, or before links said how: a guess, checked against the record's bytes.
 */
export function linkedFirstStored({ link, record }: { link: Pick<RelinkedMessageDocument, '_id' | 'folder' | 'uidValidity' | 'linkedAt' | 'by' | 'bytesDifferAt'>; record: Pick<FetchedMessageDocument, 'folder' | 'uidValidity' | 'fetchedAt' | 'sha256' | 'size'> }): FirstStored | undefined {
  if (link.bytesDifferAt || !record.sha256) return undefined;
  const rebuilt = link.folder === record.folder && link.uidValidity !== record.uidValidity;
  const at = rebuilt ? record.fetchedAt : new Date(Math.max(record.fetchedAt.getTime(), link.linkedAt.getTime()));
  return link.by === 'emailId' ? { at } : { at, check: { linkId: link._id, sha256: record.sha256, size: record.size } };
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
