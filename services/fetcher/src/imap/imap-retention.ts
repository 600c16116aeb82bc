import type { ImapFlow } from 'imapflow';
import type { FolderCheckpointDocument } from '../sync-status/sync-state.documents';

const DAY_MS = 86_400_000;

/**
 * deleteAfterDays on an IMAP server: messages that arrived (INTERNALDATE) more than N days ago are
 * deleted in INBOX, Junk and Sent. In a folder the fetcher syncs, only messages it has stored go:
 * UIDs at or below the checkpoint, not waiting for a retry, not in a backlog still to be fetched.
 * Junk and Sent that are not synced are housekept as they are (that is what the setting asks for).
 * Returns how many messages were deleted.
 */
export async function deleteExpiredMessages({ client, path, deleteAfterDays, checkpoint, now = Date.now() }: { client: ImapFlow; path: string; deleteAfterDays: number; checkpoint?: FolderCheckpointDocument; now?: number }): Promise<number> {
  // Without UIDPLUS the only EXPUNGE there is would also remove messages other clients marked \Deleted.
  if (!client.capabilities.has('UIDPLUS')) throw new Error(`${path}: the server lacks UIDPLUS, so old messages cannot be deleted without touching others; retention skipped`);
  const lock = await client.getMailboxLock(path);
  try {
    const uidValidity = Number(client.mailbox ? client.mailbox.uidValidity : 0);
    // Synced, but the folder was rebuilt since the last run: the checkpoint says nothing about these UIDs yet.
    if (checkpoint && checkpoint.uidValidity !== uidValidity) return 0;
    const found = await client.search({ before: new Date(now - deleteAfterDays * DAY_MS) }, { uid: true });
    if (!found) throw new Error(`${path}: the server refused UID SEARCH BEFORE`);
    const leftOnPurpose = await skippedByOnlySinceDays({ client, path, checkpoint });
    const deletable = checkpoint ? found.filter((uid) => isStored(uid, checkpoint) && !leftOnPurpose.has(uid)) : found;
    if (deletable.length === 0) return 0;
    if (!(await client.messageDelete(deletable, { uid: true }))) throw new Error(`${path}: the server refused to delete ${deletable.length} expired messages`);
    return deletable.length;
  } finally {
    lock.release();
  }
}

/** The first sync took only the last N days; what it left below is not stored and must not be deleted here. */
async function skippedByOnlySinceDays({ client, path, checkpoint }: { client: ImapFlow; path: string; checkpoint?: FolderCheckpointDocument }): Promise<Set<number>> {
  if (!checkpoint?.backfillSince || !checkpoint.firstSyncHeadUid) return new Set();
  const found = await client.search({ uid: `1:${checkpoint.firstSyncHeadUid}`, before: checkpoint.backfillSince }, { uid: true });
  if (!found) throw new Error(`${path}: the server refused UID SEARCH BEFORE`);
  return new Set(found);
}

function isStored(uid: number, checkpoint: FolderCheckpointDocument): boolean {
  if (uid > checkpoint.lastUid) return false;
  if (checkpoint.backfillBelowUid !== undefined && uid < checkpoint.backfillBelowUid) return false;
  return !(checkpoint.failedUids ?? []).some((failed) => failed.uid === uid);
}
