import type { MailServerSettings } from '@mailbus/mail-protocol';

/** Where and how to log in; defined with the protocols, shared with the directory that builds it from an account. */
export type { MailServerSettings };

export interface MailClientOptions {
  /** Upper bound for connecting, the greeting, TLS and each command; default DEFAULT_MAIL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Certificates are verified by default; services trust private CAs through NODE_EXTRA_CA_CERTS, tests pass `ca`. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
}

export const DEFAULT_MAIL_TIMEOUT_MS = 15_000;
