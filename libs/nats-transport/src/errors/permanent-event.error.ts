/**
 * Thrown by an event handler when retrying cannot help (the event refers to something that will never
 * exist, violates an invariant, …): the event goes to the dead-letter stream at once, with this message.
 * @example throw new PermanentEventError(`account ${event.accountId} does not exist`, { cause: error });
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
