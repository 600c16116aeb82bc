import type { AccountDocument } from '@mailbus/directory';
import type { MailServerSettings } from '@mailbus/mail-clients';
import type { AccountId } from '@mailbus/mongo-dal';

/** What one run needs: the account's receive side with its password opened for the login. */
export interface FetchAccount {
  id: AccountId;
  document: AccountDocument;
  server: MailServerSettings;
  receive: NonNullable<AccountDocument['receive']>;
}

/** The outcome of one run of one account. */
export interface RunResult {
  fetched: number;
  /** The budget ran out: run again soon rather than after the interval. */
  more: boolean;
  /** Folders that failed while the others went on (rule 12). */
  folderErrors: Array<{ folder: string; message: string }>;
}
