import { z } from 'zod';
import { folderPathField } from './field.schemas';

export const SYNC_STATES = ['idle', 'syncing', 'error', 'disabled'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export type FolderCheckpointView = {
  path: string;
  uidValidity?: number;
  lastUid: number;
  highestModseq?: string;
  /** First sync, newest first: the backlog below this UID is still being fetched. */
  backfillBelowUid?: number;
  /** Messages the server would not hand out, with how often they were tried: the 50 tried last (fewer when over 20 folders have some). */
  failedMessages?: Array<{ uid: number; attempts: number; error: string; at: string }>;
  /** How many messages the server would not hand out in all (`failedMessages` lists some). */
  failedMessageCount?: number;
  /** The folder is not synced until an admin sets its checkpoint (UIDVALIDITY kept changing). */
  parked?: { at: string; reason: string };
  updatedAt?: string;
};

/** What the fetcher knows about an account (GET /v1/accounts/:id/status). */
export type SyncStatusView = {
  accountId: string;
  state: SyncState;
  lastRunAt?: string;
  lastSuccessAt?: string;
  nextRunAt?: string;
  error?: { class: string; message: string; at: string };
  /**
   * Why a `disabled` account is not fetched when the fetcher disabled it (auth failures for longer
   * than its limit, failing since `since`, disabled `at`). Updating the account or a successful
   * connection test of its saved settings enables it again.
   */
  disabled?: { reason: 'auth'; since: string; at: string };
  consecutiveFailures: number;
  /** What the last successful run did: messages stored, messages skipped, folders that failed, whether a backlog is left. */
  lastRun?: { fetched: number; skippedMessages: number; failedFolders: number; more: boolean };
  /** Messages stored for this account in all. */
  fetchedTotal: number;
  /** Since when a connection keeps the INBOX open in IDLE (new mail is fetched within a second); absent when none does. */
  idleSince?: string;
  /** IMAP: the synced folders. A POP3 account has none; its failed messages are listed below. */
  folders: FolderCheckpointView[];
  /**
   * POP3: messages the server would not hand out (it refused RETR or dropped the connection on them),
   * the 50 tried last. Each is retried on later runs; after a few tries it is `givenUp`: it stays on
   * the server and in this list, and is not fetched again.
   */
  failedMessages?: FailedPop3MessageView[];
  /** POP3: how many messages are listed as failed in all (`failedMessages` lists some). */
  failedMessageCount?: number;
};

/** A POP3 message that failed, by its UIDL (on a server without UIDL, the key mailbus made from its headers and size). */
export type FailedPop3MessageView = { uidl: string; attempts: number; error: string; at: string; givenUp: boolean };

/**
 * An admin moves a folder's checkpoint (rarely needed, as in FlowFact): the next run fetches the
 * UIDs above `lastUid`. `uidValidity` pins the checkpoint to one UIDVALIDITY; without it the
 * folder's current one is assumed.
 */
export const setCheckpointsSchema = z
  .object({
    folders: z
      .array(z.object({ path: folderPathField, lastUid: z.number().int().min(0).max(4_294_967_295), uidValidity: z.number().int().min(1).max(4_294_967_295).optional() }).strict())
      .min(1, 'needs at least one folder')
      .max(200),
  })
  .strict();
export type SetCheckpointsInput = z.input<typeof setCheckpointsSchema>;
