import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { addressKey, normalizeAddress } from '@mailbus/mail-protocol';
import { applyHtmlSignature, applyTextSignature, htmlSignatureToText, textSignatureToHtml } from './signature.util';
import type { AccountSignature, ComposeAddress, ComposeAttachment, ComposeInput, ComposedEnvelope, ComposedMessage } from './composition.types';

/**
 * Builds the exact bytes to send and the SMTP envelope. Pure and deterministic: the same input gives
 * the same bytes (the Message-ID and Date come from the caller, the multipart boundary is derived from
 * the content), so a retry sends, and appends to Sent, what the first attempt built. Bcc and archive
 * addresses are in the envelope only, never in a header.
 * @example
 * const { raw, envelope } = await composeMessage({ from, to, subject: 'Offer', text: 'Hi', messageId: '<a1@mailbus>', date, archiveBcc: ['archive@example.com'] });
 */
export async function composeMessage(input: ComposeInput): Promise<ComposedMessage> {
  const messageId = toMessageId(input.messageId);
  const { text, html } = applySignatures({ text: input.text, html: input.html, signature: input.signature });
  const attachments = input.attachments ?? [];
  const options: Mail.Options = {
    from: toHeader(input.from),
    to: input.to.map(toHeader),
    subject: input.subject,
    messageId,
    date: input.date,
    baseBoundary: boundaryOf({ messageId, text, html, attachments: attachments.map(({ filename, contentType, content }) => [filename, contentType, content]) }),
    // CRLF throughout: SMTP turns bare LFs into CRLF on the wire, so these are then the bytes the server
    // receives, and the ones stored and filed in Sent (where some IMAP servers refuse bare LFs).
    newline: 'windows',
    // Content is always given as buffers and strings; nothing may be read from disk or the network.
    disableFileAccess: true,
    disableUrlAccess: true,
    attachments: attachments.map(toMailAttachment),
    ...(input.cc?.length ? { cc: input.cc.map(toHeader) } : {}),
    ...(input.replyTo ? { replyTo: toHeader(input.replyTo) } : {}),
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(input.references?.length ? { references: input.references } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
  };
  const raw = await new MailComposer(options).compile().build();
  return { raw, messageId, envelope: buildEnvelope(input) };
}

/**
 * The SMTP envelope: MAIL FROM is `envelopeFrom` (default the From address); RCPT TO are To, Cc, Bcc
 * and the archive addresses in that order, normalised (punycode domain), each once by addressKey.
 * Throws InvalidAddressError for an address that cannot be sent to.
 */
export function buildEnvelope(input: Pick<ComposeInput, 'from' | 'to' | 'cc' | 'bcc' | 'archiveBcc' | 'envelopeFrom'>): ComposedEnvelope {
  const seen = new Set<string>();
  const to: string[] = [];
  const recipients = [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])].map(({ address }) => address).concat(input.archiveBcc ?? []);
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    const key = addressKey(address);
    if (seen.has(key)) continue;
    seen.add(key);
    to.push(address);
  }
  return { from: normalizeAddress(input.envelopeFrom ?? input.from.address), to };
}

/**
 * The account's signature replaces the user's in every body part present. A part without a signature
 * of its own kind gets the other one converted; an account without any signature leaves the bodies
 * as they are (the user's signature stays).
 */
export function applySignatures({ text, html, signature }: { text?: string; html?: string; signature?: AccountSignature }): { text?: string; html?: string } {
  const textSignature = nonBlank(signature?.text) ?? mapDefined(nonBlank(signature?.html), htmlSignatureToText);
  const htmlSignature = nonBlank(signature?.html) ?? mapDefined(nonBlank(signature?.text), textSignatureToHtml);
  return {
    ...(text !== undefined ? { text: textSignature === undefined ? text : applyTextSignature({ text, signature: textSignature }) } : {}),
    ...(html !== undefined ? { html: htmlSignature === undefined ? html : applyHtmlSignature({ html, signature: htmlSignature }) } : {}),
  };
}

/** RFC 5322 §3.6.4 msg-id without its brackets: printable ASCII, no angle brackets, `left@right`. */
const MESSAGE_ID = /^[!-;=?-~]+@[!-;=?-~]+$/;

/** `<id>` from `id` or `<id>`; throws RangeError for anything that is not `local@domain` (it would make a malformed header). */
export function toMessageId(value: string): string {
  const trimmed = value.trim();
  const id = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
  if (!MESSAGE_ID.test(id)) throw new RangeError(`not a Message-ID: ${JSON.stringify(value)}`);
  return `<${id}>`;
}

const toHeader = ({ address, name }: ComposeAddress): Mail.Address | string => (name ? { name, address } : address);

/** RFC 5321 §4.5.3.1.6: a line of at most 1,000 octets with its CRLF. */
const MAX_LINE_OCTETS = 998;

/**
 * Every attachment arrives byte for byte. base64 for all but message/*, which RFC 2046 §5.2.1 allows
 * only as 7bit, 8bit or binary: nodemailer then writes it as it is, turning bare LFs into CRLF, passing
 * lines over 998 octets and 8-bit bytes to servers that may not take them. So a message/* attachment
 * goes as 7bit only when it already is valid 7bit wire text (and so arrives unchanged); any other is
 * sent as application/octet-stream in base64 under its file name.
 */
function toMailAttachment({ filename, contentType, content }: ComposeAttachment): Mail.Attachment {
  if (!/^message\//i.test(contentType)) return { filename, contentType, content, contentTransferEncoding: 'base64' };
  if (isSevenBitWireText(content)) return { filename, contentType, content, contentTransferEncoding: '7bit' };
  return { filename, contentType: 'application/octet-stream', content, contentTransferEncoding: 'base64' };
}

/** ASCII without NUL, every line ended by CRLF (no bare CR or LF) and at most 998 octets long. */
function isSevenBitWireText(content: Buffer): boolean {
  let lineStart = 0;
  for (let index = 0; index < content.length; index += 1) {
    const byte = content[index]!;
    if (byte === 0 || byte > 0x7f) return false;
    if (byte === 0x0d) {
      if (content[index + 1] !== 0x0a) return false;
      if (index - lineStart > MAX_LINE_OCTETS) return false;
      index += 1;
      lineStart = index + 1;
    } else if (byte === 0x0a) return false;
  }
  return content.length - lineStart <= MAX_LINE_OCTETS;
}

/**
 * The composer draws boundaries from crypto.randomBytes unless given `baseBoundary` (each part then
 * gets `--_NmP-<base>-Part_<n>`). A hash of the content keeps them stable across retries and out of
 * reach of a sender who would plant a boundary line in the body.
 */
function boundaryOf(parts: { messageId: string; text?: string; html?: string; attachments: [string, string, Buffer][] }): string {
  const hash = createHash('sha256');
  const field = (value: string | Buffer | undefined) => {
    const bytes = value === undefined ? Buffer.alloc(0) : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    hash.update(`${value === undefined ? '-' : bytes.length}:`).update(bytes);
  };
  field(parts.messageId);
  field(parts.text);
  field(parts.html);
  for (const [filename, contentType, content] of parts.attachments) [filename, contentType, content].forEach(field);
  return hash.digest('hex').slice(0, 24);
}

const nonBlank = (value: string | undefined): string | undefined => (value !== undefined && value.trim().length > 0 ? value : undefined);
const mapDefined = <T, R>(value: T | undefined, map: (value: T) => R): R | undefined => (value === undefined ? undefined : map(value));
