import { MessageParseError } from './message-parse.error';

/** Maps an error that mailparser/mailsplit emitted to a MessageParseError with a short reason. */
export const toMessageParseError = (error: unknown): MessageParseError => {
  if (error instanceof MessageParseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const limit = /maximum|max[a-z]*size|too (many|large|deep)|exceed/i.test(message);
  return new MessageParseError({ code: limit ? 'LIMIT_EXCEEDED' : 'MALFORMED', reason: `${limit ? 'limit exceeded' : 'malformed MIME'}: ${message}`, cause: error });
};

export const timeoutError = (timeoutMs: number): MessageParseError => new MessageParseError({ code: 'TIMEOUT', reason: `timed out after ${timeoutMs} ms` });
