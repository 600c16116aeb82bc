import type { AccountDocument } from '@mailbus/directory';
import type { MailServerSettings } from '@mailbus/mail-clients';
import type { AccountId } from '@mailbus/mongo-dal';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import type { StateUpdate } from './run-outcome.util';

/** What one run needs: the account's receive side with its password opened for the login. */
export interface FetchAccount {
  id: AccountId;
  document: AccountDocument;
  server: MailServerSettings;
  receive: NonNullable<AccountDocument['receive']>;
}

/** What a protocol's run gets: the account, how many messages it may store, and when to give up. */
export interface RunInput {
  account: FetchAccount;
  budget: number;
  timeoutMs: number;
  /** Aborted at shutdown: the run stops after the message in hand and closes its connection. */
  signal: AbortSignal;
  /** Counts the messages the run stores as it goes, so that a run that fails later still counts them. */
  tally: StoredTally;
  /** What earlier runs left in the account's state for this one (POP3: the messages that failed). */
  state: Pick<AccountSyncStateDocument, 'pop3Failures' | 'pop3FetchAlone'>;
  /** Filled in as the run goes; written with its outcome, whatever that is. */
  notes: RunNotes;
}

/** What a run learns that the account's state keeps also when the run fails or is stopped later. */
export interface RunNotes {
  /** The server asked not to log in again before this (POP3 LOGIN-DELAY, RFC 2449). */
  notBefore?: Date;
  /** POP3: the run's changes to the memory of failed messages (Pop3FailureMemory). */
  pop3Memory?: StateUpdate;
}

/** Messages one run stored for the first time (blob, event and a new record) so far; one fetched again after an interruption is not counted twice. */
export interface StoredTally {
  messages: number;
}

/** The outcome of one run of one account. */
export interface RunResult {
  fetched: number;
  /** The budget ran out: run again soon rather than after the interval. */
  more: boolean;
  /** Folders that failed while the others went on (rule 12). */
  folderErrors: Array<{ folder: string; message: string }>;
  /**
   * Folders in which deleteAfterDays could not be applied (IMAP): logged and reported, never a failed
   * run, since the fetching itself worked; retention is tried again on the next run.
   */
  retentionErrors?: Array<{ folder: string; message: string }>;
  /** Messages that failed and were skipped while the others went on (rule 12); tried again later. */
  messageErrors: Array<{ folder: string; key: string; message: string }>;
}
