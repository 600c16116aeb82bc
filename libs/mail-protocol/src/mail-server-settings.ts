import type { MailProtocol, MailSecurity } from './mail-protocols.constants';

/**
 * Where and how to log in to one mail server. `port` 0 means the protocol's default for the security.
 * Here rather than in mail-clients so that the directory, which builds it from an account, need not
 * depend on the clients that use it.
 */
export interface MailServerSettings {
  protocol: MailProtocol;
  host: string;
  port: number;
  security: MailSecurity;
  /** Empty for an SMTP relay without authentication. */
  username: string;
  password: string;
}
