import type { AttachmentView, CalendarInvitationView, MailAddressView } from '@mailbus/contracts';

export interface MessageSource {
  protocol: 'imap' | 'pop3' | 'smtp';
  folder: string;
  folderRole: 'inbox' | 'sent' | 'junk' | 'other';
  uidValidity?: number;
  uid?: number;
  uidl?: string;
}

/**
 * Another copy of the mail on the server, with what can differ between copies: a multidrop server
 * writes each recipient's own trace headers (Delivered-To, Received … for, some a Bcc), so each copy
 * has its own bytes. Records written before these were kept have the place only; the record's are shown.
 */
export type MessageCopy = MessageSource & { fetchKey: string; blobId?: string; size?: number; headers?: Array<{ key: string; value: string }>; bcc?: MailAddressView[] };

/** Where a write-back moved a copy, by copyIdOf(fetchKey) (a field name cannot hold a fetch key's dots). */
export type CopyRelocations = Record<string, { source: MessageSource; at: Date }>;

/**
 * One fetched (or sent) message, parsed. `_id` derives from account and identity (see messageIdFor), so a redelivered
 * message.fetched finds its document. The raw bytes stay in the blob store, stored once by the
 * fetcher; attachments are served from them.
 */
export interface MessageDocument {
  _id: string;
  accountId: string;
  fetchKey: string;
  blobId: string;
  size: number;
  sha256: string;
  /** Where it is on the server; `smtp`: sent by mailbus and not (yet) seen in a synced folder. */
  source: MessageSource;
  /**
   * Other copies of this mail fetched from the same account: a multidrop mailbox that holds one copy per
   * envelope recipient, the Cc to a shared address of mail sent through mailbus. A user reads and
   * marks the copy their delivery was made from (DeliveryDocument.fetchKey); a server deletion, once
   * every user deleted, deletes every copy.
   */
  copies?: MessageCopy[];
  /** Copies a spam mark moved since (`source` is the record's own place, kept current the same way). */
  copyRelocations?: CopyRelocations;
  /** IMAP INTERNALDATE, else when the fetcher stored it: the order of a folder listing. */
  receivedAt: Date;
  /** What deliveries are de-duplicated by: the Message-ID, or the content hash of a message without one. */
  identity: string;
  messageIdHeader?: string;
  inReplyTo?: string;
  references: string[];
  threadId: string;
  date?: Date;
  from?: MailAddressView;
  sender?: MailAddressView;
  to: MailAddressView[];
  cc: MailAddressView[];
  bcc: MailAddressView[];
  replyTo: MailAddressView[];
  subject: string;
  headers: Array<{ key: string; value: string }>;
  text: string;
  html?: string;
  htmlHasRemoteContent: boolean;
  attachments: AttachmentView[];
  calendar?: CalendarInvitationView;
  spam: { spam: boolean; source?: string; score?: number };
  /** Set when the message could not be parsed at all: it is kept raw and delivered to the account's owners. */
  parseError?: string;
  /** The deliveries this message made (written before it), its copies' included: what a redelivered event publishes if still unpublished. */
  deliveryIds: string[];
  routedAt: Date;
  /** When a write-back last moved it on the server (source then says where to). */
  relocatedAt?: Date;
}
