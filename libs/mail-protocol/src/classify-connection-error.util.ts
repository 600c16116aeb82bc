import { CONNECTION_ERROR_CLASSES, type ConnectionErrorClass } from './connection-error-classes.constants';

export interface ClassifiedError {
  errorClass: ConnectionErrorClass;
  /** The server's own text where it gave one, otherwise the error's message. Never a credential. */
  message: string;
}

/** The fields imapflow, nodemailer, Node's net/tls and our POP3 client put on their errors. */
type ErrorShape = {
  message?: unknown;
  code?: unknown;
  /** nodemailer: Node's code under its own (ESOCKET + ECONNREFUSED, EDNS + ENOTFOUND). */
  originalCode?: unknown;
  /** OpenSSL's reason, e.g. 'wrong version number'. */
  reason?: unknown;
  /** nodemailer: CONNECTION_TIMEOUT, GREETING_TIMEOUT, SOCKET_TIMEOUT. */
  timeoutType?: unknown;
  /** nodemailer: the SMTP reply code. */
  responseCode?: unknown;
  /** nodemailer: the SMTP reply; imapflow: the tagged reply; our POP3 client: the status line. */
  response?: unknown;
  /** imapflow: the tagged reply's text without tag, status and code. */
  responseText?: unknown;
  /** imapflow: the RFC 5530 response code, e.g. AUTHENTICATIONFAILED. */
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  /** Ours (MailConnectionError, Pop3ResponseError): the class the raiser already knew. */
  errorClass?: unknown;
  cause?: unknown;
  /** imapflow: the underlying error. */
  _err?: unknown;
};

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EDNS', 'ENODATA', 'ESERVFAIL']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'EADDRNOTAVAIL',
  // nodemailer: the server hung up.
  'ECONNECTION',
  // imapflow: the server hung up, before or after the greeting.
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'ESOCKETTIMEDOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);
const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|ETLS$)/;
const TLS_MESSAGES = /wrong version number|SSL routines|packet length too long|unknown protocol/i;
/** RFC 5530 codes of a refused IMAP login. */
const IMAP_AUTH_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED', 'CONTACTADMIN']);
/**
 * RFC 5530 codes of a login refused for now, not for the credentials: the server or its backend is
 * down (UNAVAILABLE), failed itself (SERVERBUG), the mailbox is locked by another session (INUSE) or
 * too many connections are open (LIMIT). imapflow still sets authenticationFailed on them (any tagged
 * NO to LOGIN/AUTHENTICATE). As with POP3's [IN-USE]/[SYS/TEMP], they are `connect`: retried with
 * backoff, never starting the auth clock. CONTACTADMIN and EXPIRED stay `auth`: only a person fixes them.
 */
const IMAP_TEMPORARY_LOGIN_CODES = new Set(['UNAVAILABLE', 'SERVERBUG', 'INUSE', 'LIMIT']);
/** SMTP: 535 bad credentials, 534 mechanism too weak or web login required. */
const SMTP_AUTH_REPLIES = new Set([534, 535]);
/** RFC 3206: the POP3 server refused the credentials. */
const POP3_AUTH = /^-ERR \[AUTH\]/i;
const MAX_MESSAGE = 500;
const MAX_CAUSE_DEPTH = 3;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const isErrorClass = (value: unknown): value is ConnectionErrorClass => (CONNECTION_ERROR_CLASSES as readonly unknown[]).includes(value);

function classByCode(code: string): ConnectionErrorClass | undefined {
  if (DNS_CODES.has(code)) return 'dns';
  if (TLS_CODES.test(code)) return 'tls';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (CONNECT_CODES.has(code)) return 'connect';
  return undefined;
}

function classOf(error: ErrorShape, depth = 0): ConnectionErrorClass | undefined {
  if (isErrorClass(error.errorClass)) return error.errorClass;
  const code = text(error.code);
  if (IMAP_TEMPORARY_LOGIN_CODES.has(text(error.serverResponseCode) ?? '')) return 'connect';
  if (error.authenticationFailed === true || code === 'EAUTH' || IMAP_AUTH_CODES.has(text(error.serverResponseCode) ?? '')) return 'auth';
  if (typeof error.responseCode === 'number' && SMTP_AUTH_REPLIES.has(error.responseCode)) return 'auth';
  if (POP3_AUTH.test(text(error.response) ?? '')) return 'auth';
  // nodemailer's originalCode is Node's own and says more than its ESOCKET.
  const byCode = classByCode(text(error.originalCode) ?? '') ?? classByCode(code ?? '');
  if (byCode) return byCode;
  if (error.tlsFailed === true || TLS_MESSAGES.test(text(error.message) ?? '')) return 'tls';
  if (text(error.timeoutType)) return 'timeout';
  if (depth < MAX_CAUSE_DEPTH) {
    for (const inner of [error.cause, error._err]) {
      if (typeof inner === 'object' && inner !== null) {
        const innerClass = classOf(inner as ErrorShape, depth + 1);
        if (innerClass) return innerClass;
      }
    }
  }
  // nodemailer's catch-all for socket trouble without a Node code.
  if (code === 'ESOCKET') return 'connect';
  return undefined;
}

/** The server's words: IMAP `[CODE] text`, the SMTP reply, the POP3 status line. */
function serverText(error: ErrorShape): string | undefined {
  const responseText = text(error.responseText);
  const serverCode = text(error.serverResponseCode);
  if (responseText) return serverCode ? `[${serverCode}] ${responseText}` : responseText;
  const response = text(error.response);
  if (!response) return undefined;
  const reply = response.replace(/^[A-Za-z0-9.]+ (NO|BAD) /, ''); // an IMAP tagged reply without its tag and status
  return text(error.code) === 'ETLS' ? `STARTTLS failed: ${reply}` : reply;
}

function tlsText(error: ErrorShape): string | undefined {
  const reason = text(error.reason);
  if (!reason || !TLS_MESSAGES.test(text(error.message) ?? reason)) return undefined;
  const hint = /wrong version number|packet length too long|unknown protocol/i.test(reason) ? ' (the port does not speak TLS: try security "starttls" or "none")' : '';
  return `TLS handshake failed: ${reason}${hint}`;
}

const clip = (message: string): string => (message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message);

/**
 * Sorts an error from imapflow, nodemailer, our POP3 client or Node's net/tls into one class, with
 * the server's own text where there is one. Errors that carry an `errorClass` (ours) keep it; a
 * wrapped `cause` is looked into; anything unrecognised is `protocol` (the server answered, but not
 * as expected). Only known text fields are read, never option objects, so no credential can leak.
 * @example classifyConnectionError(imapLoginError) // { errorClass: 'auth', message: '[AUTHENTICATIONFAILED] Authentication failed.' }
 */
export function classifyConnectionError(error: unknown): ClassifiedError {
  const shape: ErrorShape = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const errorClass = classOf(shape) ?? 'protocol';
  const message = serverText(shape) ?? (errorClass === 'tls' ? tlsText(shape) : undefined) ?? text(shape.message) ?? text(shape.code) ?? 'unknown error';
  return { errorClass, message: clip(message) };
}
