import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;

/**
 * A nominal type: a `T` that the compiler keeps apart from other `T`s, so a `UserId` cannot be passed
 * where a `MessageId` is expected. Zero cost at runtime, the value stays a plain `T`.
 * @example type OrderId = Brand<string, 'OrderId'>;
 */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A mail account (an IMAP/POP3/SMTP mailbox configuration): the tenant key of every account-scoped collection. */
export type AccountId = Brand<string, 'AccountId'>;
/** An internal user of the business application. */
export type UserId = Brand<string, 'UserId'>;
/** A stored message; deterministic (account + folder + UIDVALIDITY + UID, or account + UIDL). */
export type MessageId = Brand<string, 'MessageId'>;
/** One message delivered to one user. */
export type DeliveryId = Brand<string, 'DeliveryId'>;
/** An outgoing message in the outbox. */
export type OutboxId = Brand<string, 'OutboxId'>;
/** A raw blob in the blob store (GridFS file id). */
export type BlobId = Brand<string, 'BlobId'>;
/** The deterministic identity of one fetch of one message from one server mailbox. */
export type FetchKey = Brand<string, 'FetchKey'>;

function brandString<B extends string>(kind: B, value: string): Brand<string, B> {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${kind} must be a non-empty string`);
  return value as Brand<string, B>;
}

/** @example const id = accountId(params.id); */
export const accountId = (value: string): AccountId => brandString('AccountId', value);
export const userId = (value: string): UserId => brandString('UserId', value);
export const messageId = (value: string): MessageId => brandString('MessageId', value);
export const deliveryId = (value: string): DeliveryId => brandString('DeliveryId', value);
export const outboxId = (value: string): OutboxId => brandString('OutboxId', value);
export const blobId = (value: string): BlobId => brandString('BlobId', value);
export const fetchKey = (value: string): FetchKey => brandString('FetchKey', value);

/**
 * A new random id: 16 bytes (128 bits) from the CSPRNG, base64url without padding, 22 characters.
 * Why not an ObjectId: it carries a timestamp and a per-process counter (guessable neighbours, 96 bits),
 * and ids end up in URLs of the public API. 128 random bits are unguessable and need no coordination
 * between replicas; base64url needs no escaping in URLs, NATS subjects or file names.
 * Deterministic ids (messages, fetch keys) are derived from their inputs instead, never from this.
 * @example const id = outboxId(newId());
 */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
