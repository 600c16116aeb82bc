import type { AttachmentView, CalendarInvitationView, MailAddressView } from '@mailbus/contracts';

export interface MessageSource {
  protocol: 'imap' | 'pop3' | 'smtp';
  folder: string;
  folderRole: 'inbox' | 'sent' | 'junk' | 'other';
  uidValidity?: number;
  uid?: number;
  uidl?: string;
}

/** A copy's place as an earlier version kept it in the record (now message_copies): read for server deletions. */
export type LegacyMessageCopy = MessageSource & { fetchKey: string };

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
  /** Places of other copies as an earlier version kept them; copies are now in message_copies (MessageCopyRepository). */
  copies?: LegacyMessageCopy[];
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
