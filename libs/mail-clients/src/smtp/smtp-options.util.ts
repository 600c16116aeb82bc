import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { resolvePort } from '@mailbus/mail-protocol';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions, type MailServerSettings } from '../mail-server-settings';
import { tlsOptionsFor } from '../tls-options.util';

/** nodemailer SMTP options: implicit TLS, enforced STARTTLS, or plaintext; AUTH only with a username. */
export function smtpTransportOptions(settings: MailServerSettings, options: MailClientOptions = {}): SMTPTransport.Options {
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
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}
