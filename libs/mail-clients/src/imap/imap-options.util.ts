import type { ImapFlowOptions } from 'imapflow';
import { resolvePort } from '@mailbus/mail-protocol';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions, type MailServerSettings } from '../mail-server-settings';
import { tlsOptionsFor } from '../tls-options.util';

/** imapflow options for an account: verified TLS, STARTTLS required when asked for, silent logger. */
export function imapFlowOptions(settings: MailServerSettings, options: MailClientOptions = {}): ImapFlowOptions {
  const timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS;
  return {
    host: settings.host,
    port: resolvePort(settings),
    secure: settings.security === 'tls',
    doSTARTTLS: settings.security === 'starttls' ? true : settings.security === 'none' ? false : undefined,
    auth: { user: settings.username, pass: settings.password },
    tls: tlsOptionsFor({ host: settings.host, tls: options.tls }),
    // imapflow's logger would write protocol traces; ours never logs a mail server conversation.
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableAutoIdle: true,
  };
}
