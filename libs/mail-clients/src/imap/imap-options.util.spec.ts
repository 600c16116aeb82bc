import { describe, expect, it } from 'vitest';
import type { MailServerSettings } from '../mail-server-settings';
import { imapFlowOptions } from './imap-options.util';

const settings = (override: Partial<MailServerSettings> = {}): MailServerSettings => ({
  protocol: 'imap',
  host: 'imap.example.com',
  port: 0,
  security: 'tls',
  username: 'anna',
  password: 'pw',
  ...override,
});

describe(imapFlowOptions.name, () => {
  it.each([
    ['tls', { port: 993, secure: true, doSTARTTLS: undefined }],
    ['starttls', { port: 143, secure: false, doSTARTTLS: true }],
    ['none', { port: 143, secure: false, doSTARTTLS: false }],
  ] as const)('should map security %s (STARTTLS required, not just tried)', (security, expected) => {
    expect(imapFlowOptions(settings({ security }))).toMatchObject(expected);
  });

  it('should switch the logger off and bound every phase by the timeout', () => {
    expect(imapFlowOptions(settings(), { timeoutMs: 2_000 })).toMatchObject({
      logger: false,
      connectionTimeout: 2_000,
      greetingTimeout: 2_000,
      socketTimeout: 2_000,
      tls: { rejectUnauthorized: true },
    });
  });
});
