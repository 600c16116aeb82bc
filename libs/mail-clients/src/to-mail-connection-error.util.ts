import { classifyConnectionError } from '@mailbus/mail-protocol';
import { MailConnectionError } from './mail-connection.error';

/** Any failure of a mail client as a classified MailConnectionError, keeping the original as `cause`. */
export function toMailConnectionError(error: unknown): MailConnectionError {
  if (error instanceof MailConnectionError) return error;
  const { errorClass, message } = classifyConnectionError(error);
  return new MailConnectionError({ errorClass, message, cause: error });
}
