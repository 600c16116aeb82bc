import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { classifyConnectionError, portSecurityMismatch, type ConnectionErrorClass } from '@mailbus/mail-protocol';
import { imapFlowOptions } from './imap/imap-options.util';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions, type MailServerSettings } from './mail-server-settings';
import { Pop3Client } from './pop3/pop3.client';
import { smtpTransportOptions } from './smtp/smtp-options.util';
import { withDeadline } from './with-deadline.util';

export interface ConnectionTestResult {
  outcome: 'ok' | ConnectionErrorClass;
  /** The server's own text on failure (plus a hint when the port contradicts the security); what succeeded on `ok`. */
  message: string;
  durationMs: number;
}

/** Logs in and out once; `signal` aborts it (the deadline). Resolves with what succeeded. */
async function login({ settings, options, signal }: { settings: MailServerSettings; options: MailClientOptions; signal: AbortSignal }): Promise<string> {
  switch (settings.protocol) {
    case 'imap': {
      const client = new ImapFlow(imapFlowOptions(settings, options));
      client.on('error', () => undefined); // the failed connect() reports it
      signal.addEventListener('abort', () => client.close(), { once: true });
      await client.connect();
      await client.logout().catch(() => client.close());
      return 'logged in over IMAP';
    }
    case 'pop3': {
      const client = await Pop3Client.connect({ host: settings.host, port: settings.port, security: settings.security, ...options, signal });
      try {
        await client.login({ username: settings.username, password: settings.password });
        await client.quit();
      } finally {
        client.close();
      }
      return 'logged in over POP3';
    }
    case 'smtp': {
      const transport = createTransport(smtpTransportOptions(settings, options));
      signal.addEventListener('abort', () => transport.close(), { once: true });
      try {
        await transport.verify();
      } finally {
        transport.close();
      }
      return settings.username ? 'logged in over SMTP' : 'connected over SMTP (no authentication configured)';
    }
  }
}

/**
 * Logs in the way the fetcher or the sender will and logs out again. Never throws for a server
 * problem: the result says which class of problem it was, within `timeoutMs` (default 15 s).
 * Nothing is logged, and the password appears in no message.
 * @example
 * const { outcome, message } = await testMailLogin({ protocol: 'imap', host: 'imap.example.com', port: 0, security: 'tls', username, password });
 * // outcome 'auth', message '[AUTHENTICATIONFAILED] Authentication failed.'
 */
export async function testMailLogin(settings: MailServerSettings, options: MailClientOptions = {}): Promise<ConnectionTestResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS;
  const abort = new AbortController();
  try {
    const work = login({ settings, options: { ...options, timeoutMs }, signal: abort.signal });
    const message = await withDeadline({ work, timeoutMs, what: `${settings.protocol.toUpperCase()} ${settings.host}`, onTimeout: () => abort.abort() });
    return { outcome: 'ok', message, durationMs: Date.now() - started };
  } catch (error) {
    const { errorClass, message } = classifyConnectionError(error);
    // A timeout or TLS error on 993 with STARTTLS says little; the port says it all.
    const hint = portSecurityMismatch(settings);
    return { outcome: errorClass, message: hint ? `${message} (${hint})` : message, durationMs: Date.now() - started };
  }
}
