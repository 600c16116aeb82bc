import type { AccountId } from '@mailbus/mongo-dal';

/**
 * One message taken from a mail server. `_id` is its fetch key (account + folder + UIDVALIDITY +
 * UID, or account + UIDL), so a re-fetch finds the record instead of making a second one.
 */
export interface FetchedMessageDocument {
  _id: string;
  accountId: AccountId;
  protocol: 'imap' | 'pop3';
  folder: string;
  uidValidity?: number;
  uid?: number;
  uidl?: string;
  blobId: string;
  size: number;
  sha256: string;
  messageIdHeader?: string;
  /** The server's own id of the message across folders (Gmail X-GM-MSGID, RFC 8474 EMAILID). */
  emailId?: string;
  internalDate?: Date;
  /** First time the fetcher stored it: POP3 deleteAfterDays counts from here (getmail's rule, not the Date header). */
  fetchedAt: Date;
  /** POP3: the size LIST gave when it was fetched. A UIDL the server gave to a new message since is told by another LIST size. */
  listSize?: number;
  // No "deleted on the server" mark: each run's listing says what is still there, and a mark would cost
  // a write per run, and could not tell a reused UIDL either (Gmail's recent mode lists deleted mail again).
}
