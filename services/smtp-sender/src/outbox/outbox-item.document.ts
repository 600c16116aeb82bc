import type { AppendToSentSetting } from '../sent-folder/append-to-sent.constants';
import type { SentFolderOutcome } from '../sent-folder/sent-folder.appender';
import type { OutboxStatus } from '@mailbus/contracts';

export interface OutboxAddress {
  address: string;
  name: string;
}

/** An attachment of an outbox item: its bytes are in the blob store, stored when the request was accepted. */
export interface OutboxAttachment {
  filename: string;
  contentType: string;
  blobId: string;
  size: number;
}

/**
 * One mail to send. Everything that makes its bytes is fixed when the request is accepted (sender,
 * Message-ID, Date, attachments), so every attempt composes the same message and receivers can drop
 * a repeat by its Message-ID.
 */
export interface OutboxItemDocument {
  _id: string;
  userId?: string;
  accountId: string;
  /** Which FlowFact rule chose the account (from-address, default-from, first-owned, requested-account, system). */
  selectedBy: string;
  from: OutboxAddress;
  replyTo?: OutboxAddress;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text?: string;
  html?: string;
  attachments: OutboxAttachment[];
  inReplyTo?: string;
  /** The request's choice for the Sent-folder copy; the account's `send.appendToSent` when absent. */
  appendToSent?: AppendToSentSetting;
  /** The thread chain for a reply, ending with inReplyTo; read from the stored original when accepted. */
  references?: string[];
  messageIdHeader: string;
  date: Date;
  status: OutboxStatus;
  attempts: number;
  firstAttemptAt?: Date;
  nextAttemptAt?: Date;
  lastError?: { kind: 'retrying' | 'permanent'; class: string; smtpCode?: number; enhancedStatus?: string; text: string; at: Date };
  acceptedRecipients?: string[];
  rejectedRecipients?: Array<{ address: string; kind: 'retrying' | 'permanent'; code?: number; text: string }>;
  smtpResponse?: string;
  sentAt?: Date;
  /**
   * The mail every attempt sends, composed when the request was accepted (signature included) and
   * stored with the attachments. Absent on items accepted before mailbus composed on acceptance: their
   * attempts compose from the fields above.
   */
  composedBlob?: { id: string; size: number; sha256: string };
  /** The exact bytes sent, kept for the Sent folder and the sender's `sent` delivery. */
  sentBlob?: { id: string; size: number; sha256: string };
  /** The Sent-folder copy; unset between the server's acceptance and the append (a redelivery appends then). */
  sentFolder?: SentFolderOutcome;
  /** A follow-up item: the same message again, to the recipients the first delivery's server deferred (4xx one by one). */
  retryOf?: string;
  /** Of a follow-up: the only envelope recipients (headers stay those of the original). */
  envelopeTo?: string[];
  /** Of an item whose server deferred recipients: the follow-up item that retries them. */
  deferredTo?: string;
  /**
   * Set until send.requested is known to be in JetStream (outbox pattern): the attempt the event starts
   * clears it with its outcome, or the sweeper, which publishes again what is left after a few seconds.
   */
  pendingPublish: boolean;
  createdAt: Date;
  /** Touched by every attempt's write: an old one in `sending` (written by earlier versions) means a dead handler. */
  updatedAt: Date;
  /** When the stalled-item sweeper last published send.requested again. */
  requestedAgainAt?: Date;
  /**
   * Of a `retrying` item whose wait is too long to park its event in JetStream (a delayed nak stays
   * unacknowledged, and enough of them stop the consumer): when the due-item sweeper publishes
   * send.requested for the next attempt. Unset once published, and by every attempt's write that does not set it.
   */
  requestDueAt?: Date;
}
