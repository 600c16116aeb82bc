import type { MailParserOptions } from 'mailparser';

/**
 * The MailParser options that decide which parts become attachments and in what order. parseMessage and
 * openAttachment must use exactly these, or an attachment index stored at parse time would point at a
 * different part when it is served.
 */
export const ATTACHMENT_ORDER_OPTIONS: Readonly<MailParserOptions> = Object.freeze({
  // delivery-status reports are added to the text of a bounce (the reader sees why it bounced)
  keepDeliveryStatus: false,
  // an embedded message/rfc822 is parsed into the body only when marked inline (mailparser's default)
  ignoreEmbedded: false,
  defaultInlineEmbedded: false,
});

/** What parseMessage does not need from mailparser: text→HTML conversion, cid: inlining, checksums. */
export const LEAN_PARSE_OPTIONS: Readonly<MailParserOptions> = Object.freeze({ skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false });

/** Default cap on the characters of text and of HTML kept in the record (2 M characters, about 2–8 MB). */
export const DEFAULT_MAX_BODY_CHARS = 2_000_000;

/** A text/calendar part larger than this is listed as an attachment but not read as an invitation. */
export const MAX_CALENDAR_BYTES = 1_048_576;
