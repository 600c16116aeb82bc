import type { ConnectionErrorClass } from '@mailbus/mail-protocol';

/**
 * A mail server could not be used. `errorClass` says why; the message is the server's own text
 * where it gave one (see classifyConnectionError) and never contains a credential.
 */
export class MailConnectionError extends Error {
  override readonly name = 'MailConnectionError';
  readonly errorClass: ConnectionErrorClass;

  constructor({ errorClass, message, cause }: { errorClass: ConnectionErrorClass; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.errorClass = errorClass;
  }
}
