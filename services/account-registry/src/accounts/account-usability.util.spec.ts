import { describe, expect, it } from 'vitest';
import { createAccountSchema } from '@mailbus/contracts';
import { unusableReasons } from './account-usability.util';

const settings = (override: Record<string, unknown>) => createAccountSchema.parse({ name: 'A', email: 'a@example.com', owners: ['u1'], ...override });
const both = { receive: true, send: true };

describe('unusableReasons', () => {
  it('should accept a complete IMAP and SMTP account', () => {
    expect(unusableReasons({ settings: settings({ receive: { protocol: 'imap', host: 'h', username: 'u' }, send: { host: 'h', username: 'u' } }), passwordSet: both })).toEqual([]);
  });

  it('should accept a send-only relay without credentials', () => {
    expect(unusableReasons({ settings: settings({ send: { host: 'relay', port: 25, security: 'none' } }), passwordSet: { receive: false, send: false } })).toEqual([]);
  });

  it.each([
    ['an enabled receive side without password', { receive: { protocol: 'imap', host: 'h', username: 'u' } }, { receive: false, send: false }, 'receive is enabled but has no password'],
    ['POP3 with other folders', { receive: { protocol: 'pop3', host: 'h', username: 'u', folders: ['INBOX', 'Sent'] } }, both, 'POP3 has a single mailbox'],
    ['IMAP port 993 with STARTTLS', { receive: { protocol: 'imap', host: 'h', username: 'u', port: 993, security: 'starttls' } }, both, 'receive: '],
    ['SMTP port 465 without TLS', { send: { host: 'h', username: 'u', port: 465, security: 'starttls' } }, both, 'send: '],
    ['an SMTP username without password', { send: { host: 'h', username: 'u' } }, { receive: false, send: false }, 'send has a username but no password'],
  ])('should explain %s', (_case, override, passwordSet, reason) => {
    expect(unusableReasons({ settings: settings(override), passwordSet }).join('; ')).toContain(reason);
  });

  it('should not insist on a password for a disabled receive side', () => {
    expect(unusableReasons({ settings: settings({ receive: { enabled: false, protocol: 'imap', host: 'h', username: 'u' } }), passwordSet: { receive: false, send: false } })).toEqual([]);
  });
});
