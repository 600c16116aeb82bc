import { z } from 'zod';
import { entityIdField } from '../registry/field.schemas';

/** The folders of a user's mail in mailbus (not the server's folders). */
export const USER_FOLDERS = ['inbox', 'spam', 'sent', 'trash', 'unassigned'] as const;
export type UserFolderName = (typeof USER_FOLDERS)[number];

export const ROUTING_RULES = ['recipient-address', 'envelope-recipient', 'group', 'sender-address', 'account-owner', 'unassigned'] as const;
export type RoutingRuleName = (typeof ROUTING_RULES)[number];

/** Message ids are derived from the fetch key: `m` and 32 hex digits. */
export const messageIdField = z.string({ invalid_type_error: 'must be a message id' }).regex(/^m[0-9a-f]{32}$/, 'must be a message id like m3f0c…');

export const MESSAGE_PAGE_MAX = 200;

/** `GET /v1/users/:id/messages`: newest first; `cursor` is the previous page's nextCursor. */
export const listUserMessagesSchema = z
  .object({
    userId: entityIdField,
    folder: z.enum(USER_FOLDERS).default('inbox'),
    limit: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MESSAGE_PAGE_MAX, `must be at most ${MESSAGE_PAGE_MAX}`).default(50),
    cursor: z.string().max(200, 'is not a cursor of this list').optional(),
  })
  .strict();
export type ListUserMessagesInput = z.input<typeof listUserMessagesSchema>;

/** `userId` picks the user's delivery (folder, read flag); without it the message alone is shown. */
export const getMessageSchema = z.object({ messageId: messageIdField, userId: entityIdField.optional() }).strict();

/** Characters of a body per readMessageBody reply: even escaped as JSON (six bytes a character at worst) it fits one NATS message (1 MiB). */
export const MESSAGE_BODY_SLICE_CHARS = 128 * 1024;
/** A slice of a message's text or html from `from` (UTF-16 code units), at most MESSAGE_BODY_SLICE_CHARS long; empty past the end. */
export const readMessageBodySchema = z.object({ messageId: messageIdField, part: z.enum(['text', 'html']), from: z.number().int().min(0) }).strict();
export type ReadMessageBodyRequest = z.output<typeof readMessageBodySchema>;
export type MessageBodySlice = { slice: string };
/** With `userId`, the copy of the mail the user's delivery was made from (404 when not delivered to them). */
export const locateRawSchema = z.object({ messageId: messageIdField, userId: entityIdField.optional() }).strict();
export const locateAttachmentSchema = z.object({ messageId: messageIdField, index: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(0, 'must be 0 or more') }).strict();
export const setReadSchema = z.object({ messageId: messageIdField, userId: entityIdField, read: z.boolean() }).strict();

/** `POST /v1/messages/:id/spam` and `/not-spam`: the user's delivery moves at once, the server copy follows (spam.marked). */
export const markSpamSchema = z.object({ messageId: messageIdField, userId: entityIdField, spam: z.boolean() }).strict();
/** `DELETE /v1/messages/:id?userId=`: the user's delivery goes to trash; the last one deletes the message on the server. */
export const deleteMessageSchema = z.object({ messageId: messageIdField, userId: entityIdField }).strict();

/** What a spam mark did: `requestId` matches the spam.marked and spam.moved events of this action. */
export type SpamMarkView = { messageId: string; userId: string; spam: boolean; folder: UserFolderName; requestId: string };
/** `server`: every delivery of the message is deleted, so it is deleted on the mail server too (message.deleted). */
export type MessageDeletionView = { messageId: string; userId: string; folder: 'trash'; scope: 'user' | 'server' };

export type MailAddressView = { address: string; name: string };

export type AttachmentView = { index: number; filename: string; contentType: string; size: number; contentId?: string; inline: boolean };

export type CalendarInvitationView = {
  method: string;
  uid: string;
  sequence: number;
  start?: string;
  end?: string;
  allDay: boolean;
  organizer?: MailAddressView;
  attendees: Array<{ address: MailAddressView; partstat: string; rsvp: boolean }>;
  summary: string;
  location: string;
  rrule: string;
};

/** One line of a user's folder. */
export type MessageSummaryView = {
  id: string;
  deliveryId: string;
  accountId: string;
  folder: UserFolderName;
  rule: RoutingRuleName;
  matchedAddress: string;
  read: boolean;
  from?: MailAddressView;
  to: MailAddressView[];
  subject: string;
  date?: string;
  receivedAt: string;
  size: number;
  spam: boolean;
  threadId: string;
  hasAttachments: boolean;
  parseError?: string;
};

export type MessagePageView = { messages: MessageSummaryView[]; nextCursor?: string };

export type MessageView = {
  id: string;
  accountId: string;
  messageIdHeader?: string;
  inReplyTo?: string;
  references: string[];
  threadId: string;
  date?: string;
  receivedAt: string;
  from?: MailAddressView;
  sender?: MailAddressView;
  to: MailAddressView[];
  cc: MailAddressView[];
  bcc: MailAddressView[];
  replyTo: MailAddressView[];
  subject: string;
  size: number;
  headers: Array<{ key: string; value: string }>;
  text: string;
  html?: string;
  htmlHasRemoteContent: boolean;
  attachments: AttachmentView[];
  calendar?: CalendarInvitationView;
  spam: { spam: boolean; source?: string; score?: number };
  parseError?: string;
  /** Where it came from on the mail server. */
  source: { protocol: 'imap' | 'pop3' | 'smtp'; folder: string; uidValidity?: number; uid?: number; uidl?: string };
  /** The user's delivery when userId was given. */
  delivery?: { id: string; folder: UserFolderName; rule: RoutingRuleName; matchedAddress: string; read: boolean };
};

/**
 * getMessage's answer: a MessageView that fits one NATS reply. A body too long for it is left empty
 * here, its length in `bodyLengths`, and read in slices with readMessageBody; the api hands out the whole view.
 */
export type MessageViewReply = MessageView & { bodyLengths?: { text?: number; html?: number } };

export type RawLocationView = { messageId: string; blobId: string; size: number; filename: string };
export type AttachmentLocationView = { messageId: string; blobId: string; attachment: AttachmentView };
