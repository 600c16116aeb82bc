import type { MailProtocol, MailSecurity } from '@mailbus/mail-protocol';

/** Where and how to log in. `port` 0 means the protocol's default for the security. */
export interface MailServerSettings {
  protocol: MailProtocol;
  host: string;
  port: number;
  security: MailSecurity;
  /** Empty for an SMTP relay without authentication. */
  username: string;
  password: string;
}

export interface MailClientOptions {
  /** Upper bound for connecting, the greeting, TLS and each command; default DEFAULT_MAIL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Certificates are verified by default; services trust private CAs through NODE_EXTRA_CA_CERTS, tests pass `ca`. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
}

export const DEFAULT_MAIL_TIMEOUT_MS = 15_000;
