import { describe, expect, it } from 'vitest';
import type { MailServerSettings } from '../mail-server-settings';
import { SMTP_REPLY_TIMEOUT_MS, smtpTransportOptions } from './smtp-options.util';

const settings = (override: Partial<MailServerSettings> = {}): MailServerSettings => ({
  protocol: 'smtp',
  host: 'smtp.example.com',
  port: 0,
  security: 'starttls',
  username: 'anna',
  password: 'pw',
  ...override,
});

describe(smtpTransportOptions.name, () => {
  it.each([
    ['tls', { port: 465, secure: true, requireTLS: false, ignoreTLS: false }],
    ['starttls', { port: 587, secure: false, requireTLS: true, ignoreTLS: false }],
    ['none', { port: 25, secure: false, requireTLS: false, ignoreTLS: true }],
  ] as const)('should map security %s', (security, expected) => {
    expect(smtpTransportOptions(settings({ security }))).toMatchObject(expected);
  });

  it('should bound connecting and the greeting by the timeout, verify certificates and stay silent', () => {
    expect(smtpTransportOptions(settings(), { timeoutMs: 1_500 })).toMatchObject({
      connectionTimeout: 1_500,
      greetingTimeout: 1_500,
      logger: false,
      debug: false,
      tls: { servername: 'smtp.example.com', rejectUnauthorized: true },
    });
  });

  it('should wait the 10 minutes of RFC 5321 for a reply once connected, so that a slow answer to the final dot is no failure', () => {
    expect(SMTP_REPLY_TIMEOUT_MS).toBe(600_000);
    expect(smtpTransportOptions(settings(), { timeoutMs: 30_000 }).socketTimeout).toBe(600_000);
    expect(smtpTransportOptions(settings()).socketTimeout).toBe(600_000);
    expect(smtpTransportOptions(settings(), { timeoutMs: 900_000 }).socketTimeout).toBe(900_000);
  });

  it('should take a shorter reply timeout when one is given (tests)', () => {
    expect(smtpTransportOptions(settings(), { timeoutMs: 1_500, replyTimeoutMs: 300 })).toMatchObject({ greetingTimeout: 1_500, socketTimeout: 300 });
  });

  it('should authenticate only with a username', () => {
    expect(smtpTransportOptions(settings()).auth).toEqual({ user: 'anna', pass: 'pw' });
    expect(smtpTransportOptions(settings({ username: '', password: '' }))).not.toHaveProperty('auth');
  });
});
