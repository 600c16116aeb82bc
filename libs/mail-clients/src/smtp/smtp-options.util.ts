import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { resolvePort } from '@mailbus/mail-protocol';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions, type MailServerSettings } from '../mail-server-settings';
import { tlsOptionsFor } from '../tls-options.util';

/**
 * How long a session may stay silent once it is connected, waiting for any reply. RFC 5321 §4.5.3.2.6
 * gives the server 10 minutes to answer the final dot (virus scans, filters): a client that gives up
 * earlier leaves a mail the server may already have queued, and a retry sends it twice.
 */
export const SMTP_REPLY_TIMEOUT_MS = 10 * 60_000;

export interface SmtpClientOptions extends MailClientOptions {
  /** Inactivity allowed once connected; default SMTP_REPLY_TIMEOUT_MS (never less than `timeoutMs`). Tests shorten it. */
  replyTimeoutMs?: number;
}

/**
 * nodemailer SMTP options: implicit TLS, enforced STARTTLS, or plaintext; AUTH only with a username.
 * Connecting and the greeting are bounded by `timeoutMs`; the replies after them by the longer reply timeout.
 */
export function smtpTransportOptions(settings: MailServerSettings, options: SmtpClientOptions = {}): SMTPTransport.Options {
  const timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS;
  return {
    host: settings.host,
    port: resolvePort(settings),
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.username ? { auth: { user: settings.username, pass: settings.password } } : {}),
    tls: tlsOptionsFor({ host: settings.host, tls: options.tls }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: options.replyTimeoutMs ?? Math.max(timeoutMs, SMTP_REPLY_TIMEOUT_MS),
    logger: false,
    debug: false,
  };
}
