/** The payload is not a valid encoding of the event's schema: a poison message, dead-lettered at once. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';

  constructor({ subject, cause }: { subject: string; cause: unknown }) {
    super(`undecodable payload on ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
