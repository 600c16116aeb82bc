import { z } from 'zod';
import { APPEND_TO_SENT } from '../registry/account.schema';
import { emailAddressField, entityIdField } from '../registry/field.schemas';

/** 25 MB of attachments per request, decoded: what common providers accept in one message. */
export const MAX_OUTBOX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/**
 * The largest `POST /v1/outbox` body: the attachments base64-encoded (4/3 of 25 MiB) and the largest
 * text and html, with room for JSON escaping.
 */
export const MAX_OUTBOX_REQUEST_BYTES = 64 * 1024 * 1024;

const recipientsField = z.array(emailAddressField).max(500, 'at most 500 recipients per field');

const attachmentSchema = z
  .object({
    filename: z.string().trim().min(1, 'is required').max(255),
    contentType: z
      .string()
      .trim()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like application/pdf')
      .default('application/octet-stream'),
    contentBase64: z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/, 'must be base64'),
  })
  .strict();

/**
 * `POST /v1/outbox` (SPEC §4). A request with a user is the user's mail (the sender account is chosen
 * by FlowFact's rules); one without a user is system mail and names its account.
 */
export const createOutboxSchema = z
  .object({
    userId: entityIdField.optional(),
    accountId: entityIdField.optional(),
    from: emailAddressField.optional(),
    to: recipientsField.min(1, 'needs at least one recipient'),
    cc: recipientsField.default([]),
    bcc: recipientsField.default([]),
    subject: z.string().max(998, 'must be at most 998 characters').default(''),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(10_000_000).optional(),
    attachments: z.array(attachmentSchema).max(100).default([]),
    /** The Message-ID this mail answers; References are taken from that message when mailbus has it. */
    inReplyTo: z.string().trim().max(998).optional(),
    /** This mail's copy in the account's IMAP Sent folder, instead of the account's `send.appendToSent` (rule 26: per account and per message). */
    appendToSent: z.enum(APPEND_TO_SENT).optional(),
    /** The same key (per user, or per account for system mail) answers the first request's item instead of sending twice; also the Idempotency-Key header. */
    idempotencyKey: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict()
  .superRefine((request, context) => {
    if (!request.userId && !request.accountId) context.addIssue({ code: z.ZodIssueCode.custom, path: ['accountId'], message: 'is required for system mail (a request without userId)' });
    if (request.text === undefined && request.html === undefined) context.addIssue({ code: z.ZodIssueCode.custom, path: ['text'], message: 'give text, html or both' });
    const bytes = request.attachments.reduce((total, { contentBase64 }) => total + Math.floor((contentBase64.replace(/[\r\n=]/g, '').length * 3) / 4), 0);
    if (bytes > MAX_OUTBOX_ATTACHMENT_BYTES) context.addIssue({ code: z.ZodIssueCode.custom, path: ['attachments'], message: `are ${bytes} bytes together; at most ${MAX_OUTBOX_ATTACHMENT_BYTES} allowed` });
  });
export type CreateOutboxInput = z.input<typeof createOutboxSchema>;
export type CreateOutboxRequest = z.output<typeof createOutboxSchema>;

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export type OutboxItemView = {
  id: string;
  status: OutboxStatus;
  userId?: string;
  accountId?: string;
  messageIdHeader: string;
  attempts: number;
  lastError?: { smtpCode?: number; text: string; class: string; at: string };
  nextAttemptAt?: string;
  acceptedRecipients?: string[];
  rejectedRecipients?: Array<{ address: string; code?: number; text: string }>;
  createdAt: string;
  sentAt?: string;
  /** The copy in the account's IMAP Sent folder, once the mail is sent: appended (with its UID), skipped or failed, and why. */
  sentFolder?: { status: 'appended' | 'skipped' | 'failed'; folder: string; uidValidity?: number; uid?: number; reason?: string };
  /** Recipients the server deferred (4xx one by one) are retried by this follow-up item (same message, only them). */
  deferredTo?: string;
  /** Of a follow-up item: the original item, and the recipients it retries. */
  retryOf?: string;
  envelopeTo?: string[];
};
