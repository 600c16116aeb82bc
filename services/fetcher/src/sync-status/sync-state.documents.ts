import type { AccountId } from '@mailbus/mongo-dal';
import type { SyncState } from '@mailbus/contracts';

/** One per account: what the scheduler and the last run left behind. `_id` is the account id. */
export interface AccountSyncStateDocument {
  _id: string;
  accountId: AccountId;
  state: SyncState;
  lastRunAt?: Date;
  lastSuccessAt?: Date;
  nextRunAt?: Date;
  error?: { class: string; message: string; at: Date };
  consecutiveFailures: number;
  /** Accounts marked priority (or of active users) go first when many are due. */
  priority?: boolean;
}

/**
 * One per synced folder: the checkpoint. The fetcher fetches UIDs above `lastUid` while the folder's
 * UIDVALIDITY equals `uidValidity`; without `uidValidity` (set by an admin before the first sync) the
 * folder's current one is taken.
 */
export interface FolderCheckpointDocument {
  _id: string;
  accountId: AccountId;
  path: string;
  uidValidity?: number;
  lastUid: number;
  /** CONDSTORE HIGHESTMODSEQ as a decimal string (64-bit). */
  highestModseq?: string;
  /** How often UIDVALIDITY changed under us; a folder where it keeps changing is parked (rule 4). */
  uidValidityResets?: number;
  updatedAt: Date;
}

export const checkpointId = ({ accountId, path }: { accountId: string; path: string }): string => `${accountId}:${path}`;
