import { classifyConnectionError } from '@mailbus/mail-protocol';
import type { SendErrorClass, SendOutcomeKind } from './send-error-classes.constants';
import { parseSmtpReply, type SmtpReply } from './smtp-reply.util';

export interface ClassifiedSendError {
  kind: SendOutcomeKind;
  errorClass: SendErrorClass;
  /** The SMTP reply code, only when a server really answered. */
  smtpCode?: number;
  enhancedStatus?: string;
  /** The server's reply on one line, or the error's own message when no server answered. Never a credential. */
  smtpText: string;
}

/** The fields nodemailer's SMTP connection puts on its errors (see its `_formatError`). */
type SendErrorShape = {
  message?: unknown;
  /** ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ETLS, EAUTH, EENVELOPE, EMESSAGE, EPROTOCOL, … */
  code?: unknown;
  /** The full reply; nodemailer derives responseCode from it. */
  response?: unknown;
  responseCode?: unknown;
  /** The SMTP step: CONN, EHLO, STARTTLS, AUTH PLAIN, MAIL FROM, RCPT TO, DATA, or API before anything was sent. */
  command?: unknown;
  timeoutType?: unknown;
  errno?: unknown;
  cause?: unknown;
};

/** 530 authentication required, 534 mechanism too weak / web login required, 535 bad credentials, 538 encryption required for the mechanism. */
const AUTH_REPLIES = new Set([530, 534, 535, 538]);
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const TLS_CODES = new Set(['ETLS', 'EREQUIRETLS']);
/** nodemailer's codes for a connection that failed or broke; Node's own code is in originalCode. */
const NETWORK_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'EPROXY']);
/** The steps where a refusal is about this message: its sender, a recipient, or its content. */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);
/**
 * nodemailer's timeout for a connected session that went silent (socketTimeout: 10 min, RFC 5321's wait
 * for the reply to the final dot). Connecting and the greeting have their own types and are safe to retry.
 */
const SILENT_SESSION_TIMEOUT = 'SOCKET_TIMEOUT';
const MAY_HAVE_BEEN_DELIVERED = 'it may have been delivered, so it is not sent again automatically; check with a recipient before sending it again';
const OUTCOME_UNKNOWN_TEXT = `the server stopped answering in the middle of the SMTP session (no reply within the SMTP reply timeout of 10 minutes), most likely after the message was sent: ${MAY_HAVE_BEEN_DELIVERED}`;
const DROPPED_AFTER_MESSAGE_TEXT = `the connection broke after the whole message was sent and before the server confirmed it: ${MAY_HAVE_BEEN_DELIVERED}`;
/** RFC 3463 X.2.2 mailbox full, X.3.1 mail system full. */
const QUOTA_STATUS = /^\d\.(2\.2|3\.1)$/;
const MAX_CAUSE_DEPTH = 3;
const MAX_TEXT = 1_000;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const hasOwnFields = (shape: SendErrorShape): boolean => shape.code !== undefined || shape.response !== undefined || shape.responseCode !== undefined;

/** Our own wrappers (`new SmtpDeliveryError(…, { cause })`) are looked through to the nodemailer error. */
function unwrap(error: unknown): SendErrorShape {
  let shape: SendErrorShape = typeof error === 'object' && error !== null ? error : { message: String(error) };
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && !hasOwnFields(shape) && typeof shape.cause === 'object' && shape.cause !== null; depth += 1) {
    shape = shape.cause as SendErrorShape;
  }
  return shape;
}

/** The server's reply; nodemailer also reports non-SMTP text (an IMAP greeting) as `response`. */
function replyOf(shape: SendErrorShape): SmtpReply | undefined {
  const reply = parseSmtpReply(shape.response);
  if (reply) return reply;
  // A responseCode without the text only comes from hand-built errors; trust a plausible code.
  const code = typeof shape.responseCode === 'number' && shape.responseCode >= 200 && shape.responseCode < 600 ? shape.responseCode : undefined;
  return code ? { code, text: text(shape.message) ?? String(code) } : undefined;
}

/**
 * A session that went silent for the whole reply timeout. nodemailer reports it as
 * `{ code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'SOCKET_TIMEOUT' }` whatever step it waited for, so
 * the step is unknown; in practice only the reply to the final dot takes that long (content scanning).
 */
const isSilentSession = (shape: SendErrorShape): boolean => shape.timeoutType === SILENT_SESSION_TIMEOUT && !replyOf(shape);

/**
 * The whole message went to the server (its final dot included) and no reply came: the connection broke
 * or went silent while the server decided. Whether it queued the mail is unknown.
 */
const isDroppedAfterMessage = (shape: SendErrorShape, messageWritten: boolean): boolean => messageWritten && !replyOf(shape);

/** The server advertised SIZE in its EHLO and the message is larger: nodemailer refuses before MAIL FROM. */
const isOverSizeLimit = (shape: SendErrorShape): boolean => shape.code === 'EMESSAGE' && shape.command === 'MAIL FROM' && /size larger than allowed/i.test(text(shape.message) ?? '');

function isQuota(reply: SmtpReply): boolean {
  if (reply.enhancedStatus) return QUOTA_STATUS.test(reply.enhancedStatus);
  // RFC 5321: 452 insufficient system storage, 552 exceeded storage allocation.
  return reply.code === 452 || reply.code === 552;
}

function classOf(shape: SendErrorShape, reply: SmtpReply | undefined): SendErrorClass {
  const code = text(shape.code) ?? '';
  const command = text(shape.command) ?? '';
  if (AUTH_CODES.has(code) || (reply && AUTH_REPLIES.has(reply.code))) return 'auth';
  if (TLS_CODES.has(code)) return 'tls';
  if (reply && reply.code >= 400) {
    if (reply.code === 503) return 'protocol';
    if (isQuota(reply)) return 'quota';
    if (MESSAGE_COMMANDS.has(command) || code === 'EENVELOPE' || code === 'EMESSAGE') return 'rejected';
    if (reply.code === 421) return 'connect';
    return 'protocol';
  }
  if (code === 'EENVELOPE' || isOverSizeLimit(shape)) return 'rejected';
  if (NETWORK_CODES.has(code) || text(shape.timeoutType) || typeof shape.errno === 'number') {
    // The shared classifier knows Node's and nodemailer's network codes (ECONNREFUSED, ENOTFOUND, certificate codes).
    const { errorClass } = classifyConnectionError(shape);
    return errorClass;
  }
  if (code === 'EPROTOCOL' || reply) return 'protocol';
  return 'unknown';
}

/**
 * Rule 28: only a real SMTP reply makes a failure permanent, and only a 5xx one other than 503 (bad
 * sequence: a new session may well go through). Everything without a reply (DNS, refused or dropped
 * connections, timeouts, our own bugs, internal RPC errors) retries until the horizon.
 *
 * Two deliberate exceptions, both about the account rather than the message: `auth` (535 and
 * friends) and `tls` (a refused STARTTLS, a bad certificate) retry even on a 5xx reply. A wrong
 * password or a TLS setting will not fix itself, but an admin may fix it within the horizon, and the
 * message is not at fault; the horizon still ends it, and rule 32 alerting is the caller's job.
 * Two exceptions the other way: a message larger than the SIZE the server advertised in its EHLO is
 * refused by nodemailer before MAIL FROM; that is the server's own statement, so it is permanent. And
 * a session that stayed silent for the whole reply timeout has an unknown outcome: the server may have
 * queued the mail, and a retry would deliver a second copy (SPEC invariant 2), so it is not retried.
 * The same goes for a connection that broke after the whole message was written, before the reply.
 */
function kindOf({ errorClass, reply, shape, messageWritten }: { errorClass: SendErrorClass; reply: SmtpReply | undefined; shape: SendErrorShape; messageWritten: boolean }): SendOutcomeKind {
  if (isDroppedAfterMessage(shape, messageWritten)) return 'permanent';
  if (errorClass === 'auth' || errorClass === 'tls') return 'retrying';
  if (reply && reply.code >= 500 && reply.code < 600 && reply.code !== 503) return 'permanent';
  return isOverSizeLimit(shape) || isSilentSession(shape) ? 'permanent' : 'retrying';
}

function ownText(shape: SendErrorShape, errorClass: SendErrorClass, messageWritten: boolean): string {
  if (isSilentSession(shape)) return OUTCOME_UNKNOWN_TEXT;
  if (isDroppedAfterMessage(shape, messageWritten)) return DROPPED_AFTER_MESSAGE_TEXT;
  const message = ['dns', 'connect', 'tls', 'timeout'].includes(errorClass) ? classifyConnectionError(shape).message : (text(shape.message) ?? text(shape.code) ?? 'unknown error');
  return message.length > MAX_TEXT ? `${message.slice(0, MAX_TEXT)}…` : message;
}

/**
 * Classifies a failed send from nodemailer's SMTP transport (or an error wrapping one in `cause`)
 * into retrying or permanent, a class for metrics, and the server's reply.
 *
 * An "all recipients were rejected" error carries nodemailer's pick of the replies: a 4xx one when
 * any recipient was only deferred, so such a message retries; `recipientOutcome(error)` tells the
 * recipients apart.
 *
 * `messageWritten`: the SMTP connection had taken the whole message (MessageHandOver) when it failed;
 * a failure without a reply then has an unknown outcome and is permanent (no second copy).
 * @example classifySendError(error) // { kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' }
 */
export function classifySendError(error: unknown, { messageWritten = false }: { messageWritten?: boolean } = {}): ClassifiedSendError {
  const shape = unwrap(error);
  const reply = replyOf(shape);
  const errorClass = classOf(shape, reply);
  const kind = kindOf({ errorClass, reply, shape, messageWritten });
  if (!reply) return { kind, errorClass, smtpText: ownText(shape, errorClass, messageWritten) };
  return { kind, errorClass, smtpCode: reply.code, ...(reply.enhancedStatus ? { enhancedStatus: reply.enhancedStatus } : {}), smtpText: reply.text };
}
