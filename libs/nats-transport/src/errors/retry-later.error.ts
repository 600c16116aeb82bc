/**
 * Thrown by an event handler that cannot do its work yet (a lease is held elsewhere, a dependency is
 * warming up): the event is redelivered after `delayMs` and the attempt is not logged as a failure.
 * It never dead-letters the event by itself, but the deliveries it uses count towards maxDeliver when
 * a later attempt fails.
 * @example throw new RetryLaterError(5_000, `account ${event.accountId} is being synchronised elsewhere`);
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';

  constructor(
    readonly delayMs: number,
    message = `retry in ${delayMs} ms`,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
