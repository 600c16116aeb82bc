import { describe, expect, it } from 'vitest';
import { defaultPort, portSecurityMismatch, resolvePort } from './mail-ports.util';

describe(defaultPort.name, () => {
  it.each([
    ['imap', 'tls', 993],
    ['imap', 'starttls', 143],
    ['imap', 'none', 143],
    ['pop3', 'tls', 995],
    ['pop3', 'starttls', 110],
    ['pop3', 'none', 110],
    ['smtp', 'tls', 465],
    ['smtp', 'starttls', 587],
    ['smtp', 'none', 25],
  ] as const)('should give %s with %s port %i', (protocol, security, port) => {
    expect(defaultPort({ protocol, security })).toBe(port);
  });
});

describe(resolvePort.name, () => {
  it('should map port 0 to the default', () => {
    expect(resolvePort({ protocol: 'smtp', security: 'starttls', port: 0 })).toBe(587);
  });

  it('should keep an explicit port', () => {
    expect(resolvePort({ protocol: 'imap', security: 'tls', port: 10993 })).toBe(10993);
  });
});

describe(portSecurityMismatch.name, () => {
  it.each([
    ['imap', 'starttls', 993, 'port 993 is IMAP over implicit TLS; use security "tls"'],
    ['imap', 'none', 993, 'port 993 is IMAP over implicit TLS; use security "tls"'],
    ['imap', 'tls', 143, 'port 143 is IMAP with STARTTLS or plaintext; use security "starttls" or port 993'],
    ['pop3', 'none', 995, 'port 995 is POP3 over implicit TLS; use security "tls"'],
    ['pop3', 'tls', 110, 'port 110 is POP3 with STLS or plaintext; use security "starttls" or port 995'],
    ['smtp', 'starttls', 465, 'port 465 is SMTP submission over implicit TLS; use security "tls"'],
    ['smtp', 'none', 465, 'port 465 is SMTP submission over implicit TLS; use security "tls"'],
    ['smtp', 'tls', 587, 'port 587 is SMTP submission with STARTTLS; use security "starttls" or port 465'],
    ['smtp', 'tls', 25, 'port 25 is SMTP with STARTTLS or plaintext; use security "starttls" or port 465'],
  ] as const)('should explain %s with %s on %i', (protocol, security, port, reason) => {
    expect(portSecurityMismatch({ protocol, security, port })).toBe(reason);
  });

  it.each([
    ['imap', 'tls', 0],
    ['imap', 'starttls', 0],
    ['imap', 'starttls', 143],
    ['imap', 'none', 143],
    ['pop3', 'tls', 995],
    ['smtp', 'none', 25],
    ['smtp', 'starttls', 25],
    ['imap', 'tls', 10143],
    ['smtp', 'tls', 2525],
  ] as const)('should accept %s with %s on %i', (protocol, security, port) => {
    expect(portSecurityMismatch({ protocol, security, port })).toBeUndefined();
  });
});
