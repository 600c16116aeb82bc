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
  /**
   * Failures in a row; the backoff grows with it. Reset only by a run that completed (rule 31: a
   * login that succeeds and then fails is not stability), never by a login or a connection test.
   */
  consecutiveFailures: number;
  /**
   * Runs in a row that mailbus's own store or NATS cut short (no failure of the account): the retry
   * delay grows with it. Removed by the next run that finishes.
   */
  interruptedRuns?: number;
  /** What the last successful run did. */
  lastRun?: { fetched: number; skippedMessages: number; failedFolders: number; more: boolean };
  /** Messages stored for this account since it was first fetched. */
  fetchedTotal?: number;
  /** A replica keeps the INBOX open in IDLE since then (set and removed by the IDLE watcher). */
  idleSince?: Date;
  /** Accounts marked priority go first when many are due; copied from the account. */
  priority?: boolean;
  /** Next come accounts of which an owner is an active user (OwnerActivityReader); refreshed on every change and run. */
  ownersActive?: boolean;
  /** The first AUTH failure of the current streak; cleared by a success, another error class or a re-enable. */
  authFailingSince?: Date;
  /**
   * Set when the fetcher disabled the account (state `disabled`, no nextRunAt) after AUTH failures
   * lasting `FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS`. `accountRevision` is the account's revision
   * then: only a later revision (an update) enables it again, a redelivered old event does not.
   */
  disabled?: { reason: 'auth'; since: Date; at: Date; accountRevision: number };
  /** An admin's "sync now": the next run goes ahead even outside the account's active hours. */
  forceRun?: boolean;
  /**
   * POP3: the server's LOGIN-DELAY (RFC 2449) from the last login runs until then. No run logs in
   * before it, whatever scheduled the run ("sync now", an account change, a retry after a failure).
   */
  loginNotBefore?: Date;
  /** POP3: messages the server would not hand out; retried on later runs, given up after a few tries (at most MAX_POP3_FAILURES_KEPT). */
  pop3Failures?: Pop3Failure[];
  /**
   * POP3: the server dropped the connection while sending these together and the run could not
   * reconnect to find out which one it was (LOGIN-DELAY, or no reconnects left): next time each is
   * fetched alone. At most one group (100).
   */
  pop3FetchAlone?: string[];
}

/** A POP3 message that failed, by the key its record would be stored under: its UIDL, or its content key on a server without UIDL. */
export interface Pop3Failure {
  uidl: string;
  attempts: number;
  error: string;
  at: Date;
  /** Not tried again: the message stays on the server, and in this list while it is there. */
  givenUp?: boolean;
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
  /** When it changed lately (the last few): the flapping test looks at these. */
  uidValidityChanges?: Date[];
  /** After a UIDVALIDITY change, UIDs up to this one are matched against stored records before being stored. */
  relinkUpToUid?: number;
  /** First sync, newest first: UIDs below this one are still to be fetched (downwards). */
  backfillBelowUid?: number;
  /**
   * The first sync's "only the last N days", fixed when it started so that it does not move, and the
   * highest UID then: older messages up to that UID were left on the server on purpose, never stored.
   */
  backfillSince?: Date;
  firstSyncHeadUid?: number;
  /** Messages the server would not hand out; retried on later runs, given up after a few tries. */
  failedUids?: FailedUid[];
  /** The server dropped the connection while sending these: next time they are fetched one at a time. */
  connectionDroppedDuring?: number[];
  /** A message fetched alone during which the server dropped the connection, and how often. */
  droppedSingle?: { uid: number; count: number };
  /** A folder that cannot be synced safely (UIDVALIDITY flapping) waits for an admin. */
  parked?: { at: Date; reason: string };
  updatedAt: Date;
}

export interface FailedUid {
  uid: number;
  attempts: number;
  error: string;
  at: Date;
}

export const checkpointId = ({ accountId, path }: { accountId: string; path: string }): string => `${accountId}:${path}`;
