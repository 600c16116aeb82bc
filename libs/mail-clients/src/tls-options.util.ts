import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { MailClientOptions } from './mail-server-settings';

/**
 * Verified TLS for a host: the certificate must name `host` (Node checks IP literals against the
 * IP SANs), SNI is the host for names only (RFC 6066 forbids IP literals, Node warns), a private CA
 * when given; otherwise Node's store plus NODE_EXTRA_CA_CERTS.
 */
export function tlsOptionsFor({ host, tls }: { host: string; tls: MailClientOptions['tls'] }): ConnectionOptions {
  return { ...(isIP(host) ? {} : { servername: host }), ...(tls?.ca ? { ca: tls.ca } : {}), rejectUnauthorized: tls?.rejectUnauthorized ?? true, minVersion: 'TLSv1.2' };
}
