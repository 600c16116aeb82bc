import { z } from 'zod';
import { rpcSubject } from '../rpc';

/** Request/reply operations of smtp-sender that the api calls (SPEC §4 Outbox). */
const sender = (operation: string): string => rpcSubject({ service: 'smtp-sender', operation });

export const SmtpSenderRpc = {
  createOutboxItem: sender('outbox.create'),
  getOutboxItem: sender('outbox.get'),
} as const;

/** The id prefix of an outbox request handed over through the blob store (OutboxRequestReference). */
export const OUTBOX_REQUEST_BLOB_PREFIX = 'outbox-request-';

/**
 * A createOutboxItem request too large for one NATS message (max_payload, 1 MiB by default; a request
 * may carry 25 MiB of attachments): the api stores the request's JSON as a blob and sends its id;
 * smtp-sender reads it, handles it as if it had come inline, and deletes it.
 */
export const outboxRequestReferenceSchema = z.object({ requestBlobId: z.string().startsWith(OUTBOX_REQUEST_BLOB_PREFIX).max(200) }).strict();
export type OutboxRequestReference = z.output<typeof outboxRequestReferenceSchema>;
