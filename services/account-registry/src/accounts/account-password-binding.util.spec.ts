import { describe, expect, it } from 'vitest';
import type { AccountSettings } from '@mailbus/contracts';
import type { AccountDocument, SealedSecret } from '@mailbus/directory';
import { describeUnboundPasswords, unboundPasswords } from './account-password-binding.util';

const sealed = 'wd01:sealed' as SealedSecret;
const receive = { enabled: true, protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'sales', folders: ['INBOX'], intervalSeconds: 300 } as NonNullable<AccountSettings['receive']>;
const send = { enabled: true, host: 'smtp.example.com', port: 587, security: 'starttls', username: 'sales', appendToSent: 'auto' } as NonNullable<AccountSettings['send']>;
const before = { receive: { ...receive, passwordSealed: sealed }, send: { ...send, passwordSealed: sealed } } as Pick<AccountDocument, 'receive' | 'send'>;
const keep = { receive: { action: 'keep' }, send: { action: 'keep' } } as const;

describe('unboundPasswords', () => {
  it('should name the side and the fields when the server or login of a kept password changes', () => {
    const after = { receive: { ...receive, host: 'attacker.example', security: 'none' as const, port: 143 }, send: { ...send, username: 'other' } };

    expect(unboundPasswords({ before, after, passwords: keep })).toEqual([
      { side: 'receive', fields: ['host', 'port', 'security'] },
      { side: 'send', fields: ['username'] },
    ]);
  });

  it('should name a changed receive protocol', () => {
    expect(unboundPasswords({ before, after: { receive: { ...receive, protocol: 'pop3' }, send }, passwords: keep })).toEqual([{ side: 'receive', fields: ['protocol'] }]);
  });

  it('should let other settings change and keep the password', () => {
    const after = { receive: { ...receive, folders: ['INBOX', 'Sent'], intervalSeconds: 60, enabled: false }, send: { ...send, appendToSent: 'never' as const } };

    expect(unboundPasswords({ before, after, passwords: keep })).toEqual([]);
  });

  it('should accept a move that gives the password again or removes it', () => {
    const after = { receive: { ...receive, host: 'imap.other.example' }, send: { ...send, host: 'smtp.other.example' } };

    expect(unboundPasswords({ before, after, passwords: { receive: { action: 'set', password: 'new' }, send: { action: 'remove' } } })).toEqual([]);
  });

  it('should let a side without a stored password move', () => {
    const { passwordSealed: _sealed, ...relay } = before.send!;

    expect(unboundPasswords({ before: { ...before, send: relay }, after: { receive, send: { ...send, host: 'relay.example' } }, passwords: keep })).toEqual([]);
  });

  it('should say which password to give again', () => {
    expect(describeUnboundPasswords([{ side: 'receive', fields: ['host', 'security'] }])).toContain('receive: changing receive.host, receive.security needs receive.password again');
  });
});
