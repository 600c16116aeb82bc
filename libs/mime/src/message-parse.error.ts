/**
 * Why a raw message could not be parsed at all. The caller quarantines it: the raw bytes stay stored and the
 * message is delivered with `parseError` set (SPEC §3.5: bad input never stops the line).
 */
export type MessageParseErrorCode =
  /** The parse ran past its time limit. */
  | 'TIMEOUT'
  /** The source had no bytes. */
  | 'EMPTY'
  /** Nothing in the header section looked like a header field: not a mail message. */
  | 'NO_HEADERS'
  /** A structural limit was hit (header block size, number of MIME parts). */
  | 'LIMIT_EXCEEDED'
  /** The MIME parser gave up on the content. */
  | 'MALFORMED';

/**
 * Thrown by parseMessage and openAttachment for input that cannot be parsed. A failing source stream (the
 * store) is not a parse error: that error is passed through unchanged so the caller can retry.
 */
export class MessageParseError extends Error {
  override readonly name = 'MessageParseError';
  readonly code: MessageParseErrorCode;

  constructor({ code, reason, cause }: { code: MessageParseErrorCode; reason: string; cause?: unknown }) {
    super(reason, cause === undefined ? undefined : { cause });
    this.code = code;
  }

  /** Human-readable, stored as the message's `parseError`. */
  get reason(): string {
    return this.message;
  }
}
