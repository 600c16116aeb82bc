/** The request does not fit one message to the service that handles it (NATS max_payload). Rendered as 413. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}
