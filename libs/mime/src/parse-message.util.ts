import { MailParser, type AttachmentStream, type HeaderLines, type Headers, type MessageText } from 'mailparser';
import { Transform, type Readable } from 'node:stream';
import { describeAttachment } from './attachment.util';
import { CalendarParseError, parseCalendar } from './calendar.util';
import { firstHeader, firstMessageId, parseDateHeader, parseMessageIds, toHeaderLines } from './header-lines.util';
import { sanitizeHtml } from './html-sanitize.util';
import { createLineEndNormalizer } from './line-endings.util';
import { MessageParseError } from './message-parse.error';
import { addressesOf, firstAddressOf, paramsOf, textOf, truncate } from './message-fields.util';
import type { ParsedAttachment, ParsedCalendar, ParsedMessage } from './parsed-message.types';
import { timeoutError, toMessageParseError } from './parser-error.util';
import { ATTACHMENT_ORDER_OPTIONS, DEFAULT_MAX_BODY_CHARS, LEAN_PARSE_OPTIONS, MAX_CALENDAR_BYTES } from './parsing.constants';
import { type MessageSource, toReadable } from './source-stream.util';
import { spamVerdictFromHeaders } from './spam-verdict.util';

export interface ParseMessageOptions {
  /** The whole parse, first byte to record, is cut off after this long. */
  timeoutMs: number;
  /** Characters of text, and of HTML, kept in the record (default 2,000,000); the rest is cut and flagged. */
  maxBodyChars?: number;
}

/** A text/calendar part as read off the stream: bounded bytes plus what its Content-Type says. */
interface CalendarPart {
  chunks: Buffer[];
  bytes: number;
  charset: string;
  method?: string;
  tooLarge: boolean;
}

/** What the streaming pass collects; everything else is derived from it once the parser has ended. */
interface Collected {
  size: number;
  headerLines?: HeaderLines;
  headers?: Headers;
  text?: MessageText;
  attachments: ParsedAttachment[];
  calendarPart?: CalendarPart;
}

/**
 * Streams the raw message through MailParser, keeping only headers, bodies and per-attachment metadata:
 * attachment content is counted and dropped, so memory stays bounded by the text parts, not by the message
 * size. Settles exactly once: on the parser's end, on a parser error (MessageParseError), on a source error
 * (passed through: the store failed, not the message) or on the time limit (source and parser destroyed).
 */
const collect = (input: Readable, { timeoutMs, maxBodyChars }: Required<ParseMessageOptions>): Promise<Collected> =>
  new Promise<Collected>((resolve, reject) => {
    const collected: Collected = { size: 0, attachments: [] };
    const parser = new MailParser({ ...ATTACHMENT_ORDER_OPTIONS, ...LEAN_PARSE_OPTIONS, maxHtmlLengthToParse: maxBodyChars });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        collected.size += chunk.length;
        done(null, chunk);
      },
    });
    const lineEnds = createLineEndNormalizer();
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) return resolve(collected);
      input.unpipe(counter);
      for (const stream of [input, counter, lineEnds, parser]) stream.destroy();
      reject(error);
    };
    const timer = setTimeout(() => settle(timeoutError(timeoutMs)), timeoutMs);

    input.on('error', (error) => settle(error));
    counter.on('error', (error) => settle(toMessageParseError(error)));
    lineEnds.on('error', (error) => settle(toMessageParseError(error)));
    parser.on('error', (error) => settle(toMessageParseError(error)));
    parser.once('headerLines', (lines) => (collected.headerLines = lines));
    parser.once('headers', (headers) => (collected.headers = headers));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') collected.text = data;
      else readAttachment({ attachment: data, collected, onError: (error) => settle(toMessageParseError(error)) });
    });
    parser.once('end', () => settle());
    input.pipe(counter).pipe(lineEnds).pipe(parser);
  });

/** Counts an attachment's bytes (keeping the first text/calendar part, bounded) and releases it to the parser. */
const readAttachment = ({ attachment, collected, onError }: { attachment: AttachmentStream; collected: Collected; onError: (error: unknown) => void }): void => {
  const index = collected.attachments.length;
  const record = describeAttachment({ attachment, index, size: 0 });
  collected.attachments.push(record);
  let calendarPart: CalendarPart | undefined;
  if (record.contentType === 'text/calendar' && !collected.calendarPart) {
    const params = paramsOf(attachment.headers, 'content-type');
    calendarPart = { chunks: [], bytes: 0, charset: params['charset'] ?? 'utf-8', method: params['method'], tooLarge: false };
    collected.calendarPart = calendarPart;
  }
  attachment.content.on('data', (chunk: Buffer) => {
    record.size += chunk.length;
    if (!calendarPart || calendarPart.tooLarge) return;
    calendarPart.bytes += chunk.length;
    if (calendarPart.bytes > MAX_CALENDAR_BYTES) {
      calendarPart.tooLarge = true;
      calendarPart.chunks = [];
    } else calendarPart.chunks.push(chunk);
  });
  attachment.content.on('error', onError);
  attachment.content.once('end', () => attachment.release?.());
};

const decodeText = (bytes: Buffer, charset: string): string => {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown charset label
  }
};

const readCalendar = (part: CalendarPart | undefined): { calendar?: ParsedCalendar; calendarError?: string } => {
  if (!part) return {};
  if (part.tooLarge) return { calendarError: `text/calendar part larger than ${MAX_CALENDAR_BYTES} bytes` };
  try {
    return { calendar: parseCalendar(decodeText(Buffer.concat(part.chunks), part.charset), { methodHint: part.method }) };
  } catch (error) {
    // ical.js throws its own errors too; a broken invitation never fails the message
    return { calendarError: error instanceof CalendarParseError ? error.message : `calendar: ${error instanceof Error ? error.message : String(error)}` };
  }
};

const toRecord = (collected: Collected, maxBodyChars: number): ParsedMessage => {
  const headers = toHeaderLines(collected.headerLines ?? []);
  if (collected.size === 0) throw new MessageParseError({ code: 'EMPTY', reason: 'the message is empty' });
  if (headers.length === 0 || !collected.headers) throw new MessageParseError({ code: 'NO_HEADERS', reason: 'no header fields: not a mail message' });
  const decoded = collected.headers;
  const text = truncate(collected.text?.text ?? '', maxBodyChars);
  const rawHtml = collected.text?.html === undefined ? undefined : truncate(collected.text.html, maxBodyChars);
  const html = rawHtml === undefined ? undefined : sanitizeHtml(rawHtml.value);
  const truncated = { ...(text.truncated ? { text: true } : {}), ...(rawHtml?.truncated ? { html: true } : {}) };
  const from = firstAddressOf(decoded, 'from');
  const sender = firstAddressOf(decoded, 'sender');
  const messageIdHeader = firstMessageId(firstHeader(headers, 'message-id'));
  const inReplyTo = firstMessageId(firstHeader(headers, 'in-reply-to'));
  const date = parseDateHeader(firstHeader(headers, 'date'));
  const { calendar, calendarError } = readCalendar(collected.calendarPart);
  return {
    headers,
    ...(messageIdHeader ? { messageIdHeader } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references: parseMessageIds(
      headers
        .filter((h) => h.key === 'references')
        .map((h) => h.value)
        .join(' '),
    ),
    ...(date ? { date } : {}),
    ...(from ? { from } : {}),
    ...(sender ? { sender } : {}),
    to: addressesOf(decoded, 'to'),
    cc: addressesOf(decoded, 'cc'),
    bcc: addressesOf(decoded, 'bcc'),
    replyTo: addressesOf(decoded, 'reply-to'),
    subject: textOf(decoded, 'subject'),
    text: text.value,
    ...(html ? { html: html.html } : {}),
    htmlHasRemoteContent: html?.hasRemoteContent ?? false,
    attachments: collected.attachments,
    ...(calendar ? { calendar } : {}),
    ...(calendarError ? { calendarError } : {}),
    spam: spamVerdictFromHeaders(headers),
    size: collected.size,
    ...(Object.keys(truncated).length > 0 ? { truncated } : {}),
  };
};

/**
 * Parses a raw message into the record message-router stores and delivers. The source is streamed, never
 * held whole; attachment bytes are only counted (serve them with openAttachment). Throws MessageParseError
 * when the input cannot be parsed at all (empty, no header fields, MIME limits) or the parse runs past
 * `timeoutMs` — the caller then stores the message raw with `parseError` set. An error of the source stream
 * itself is rethrown unchanged: that is the store failing, to be retried, not a bad message.
 *
 * @example const parsed = await parseMessage(blobStore.openDownloadStream(blobId), { timeoutMs: 30_000 });
 */
export const parseMessage = async (source: MessageSource, options: ParseMessageOptions): Promise<ParsedMessage> => {
  const maxBodyChars = options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
  const collected = await collect(toReadable(source), { timeoutMs: options.timeoutMs, maxBodyChars });
  return toRecord(collected, maxBodyChars);
};
