import type { MailProtocol, MailSecurity } from './mail-protocols.constants';

export interface MailEndpoint {
  protocol: MailProtocol;
  security: MailSecurity;
  /** 0 means the protocol's default for the security. */
  port: number;
}

const DEFAULT_PORTS: Record<MailProtocol, Record<MailSecurity, number>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  pop3: { tls: 995, starttls: 110, none: 110 },
  smtp: { tls: 465, starttls: 587, none: 25 },
};

/** @example defaultPort({ protocol: 'smtp', security: 'starttls' }) // 587 */
export const defaultPort = ({ protocol, security }: Omit<MailEndpoint, 'port'>): number => DEFAULT_PORTS[protocol][security];

/**
 * Port 0 means the protocol's default for the security (FlowFact's convention).
 * @example resolvePort({ protocol: 'imap', security: 'tls', port: 0 }) // 993
 */
export const resolvePort = ({ protocol, security, port }: MailEndpoint): number => (port === 0 ? defaultPort({ protocol, security }) : port);

/** Well-known ports whose security is fixed by the standard. */
const WELL_KNOWN: Record<MailProtocol, Record<number, { tls: boolean; name: string }>> = {
  imap: { 993: { tls: true, name: 'IMAP over implicit TLS' }, 143: { tls: false, name: 'IMAP with STARTTLS or plaintext' } },
  pop3: { 995: { tls: true, name: 'POP3 over implicit TLS' }, 110: { tls: false, name: 'POP3 with STLS or plaintext' } },
  smtp: { 465: { tls: true, name: 'SMTP submission over implicit TLS' }, 587: { tls: false, name: 'SMTP submission with STARTTLS' }, 25: { tls: false, name: 'SMTP with STARTTLS or plaintext' } },
};

/**
 * Why a well-known port contradicts the chosen security (TLS on 143, STARTTLS on 993, …), or
 * undefined. Such settings fail at the first connection with an opaque TLS error or a timeout;
 * saying why up front saves the admin a support call. Other ports are the admin's business.
 * @example portSecurityMismatch({ protocol: 'imap', security: 'starttls', port: 993 }) // 'port 993 is IMAP over implicit TLS; use security "tls"'
 */
export function portSecurityMismatch(endpoint: MailEndpoint): string | undefined {
  const { protocol, security } = endpoint;
  const port = resolvePort(endpoint);
  const known = WELL_KNOWN[protocol][port];
  if (!known) return undefined;
  if (known.tls && security !== 'tls') return `port ${port} is ${known.name}; use security "tls"`;
  if (!known.tls && security === 'tls') return `port ${port} is ${known.name}; use security "starttls" or port ${defaultPort({ protocol, security: 'tls' })}`;
  return undefined;
}
