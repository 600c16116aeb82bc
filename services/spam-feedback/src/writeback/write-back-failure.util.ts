import { classifyConnectionError, type ConnectionErrorClass } from '@mailbus/mail-protocol';
import { RetryLaterError } from '@mailbus/nats-transport';
import { isDependencyOutage } from '@mailbus/service-runtime';

/** Classes that another attempt may fix; auth and configuration need a person. */
const TRANSIENT: ReadonlySet<ConnectionErrorClass> = new Set(['dns', 'connect', 'tls', 'timeout', 'protocol']);

export type WritebackFailure = { retry: true; error: unknown } | { retry: false; errorClass: ConnectionErrorClass; reason: string };

/**
 * What to do with an error of a write-back: hand the event back (a transient server problem, attempts
 * left, our own "come back later", or mailbus's store or NATS away, which is no fault of the mail
 * server), or give up with a FAILED outcome that names the class.
 */
export function writebackFailure({ error, attempt, maxAttempts }: { error: unknown; attempt: number; maxAttempts: number }): WritebackFailure {
  if (error instanceof RetryLaterError || isDependencyOutage(error)) return { retry: true, error };
  const { errorClass, message } = classifyConnectionError(error);
  if (TRANSIENT.has(errorClass) && attempt < maxAttempts) return { retry: true, error };
  return { retry: false, errorClass, reason: `${errorClass}: ${message}${TRANSIENT.has(errorClass) ? ` (after ${attempt} attempts)` : ''}` };
}
