import { describe, expect, it } from 'vitest';
import type { CreateAccountInput } from '@mailbus/contracts';
import { mergeAccountPatch } from './account-merge.util';

const current: CreateAccountInput = {
  name: 'Sales',
  email: 'sales@example.com',
  note: 'shared mailbox',
  owners: ['u1'],
  receive: { protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'sales', folders: ['INBOX', 'Sent'] },
  send: { host: 'smtp.example.com', username: 'sales' },
  signature: { text: '-- Sales', html: '<p>Sales</p>' },
};

describe('mergeAccountPatch', () => {
  it('should merge a side field by field and keep the password when none is given', () => {
    const { settings, passwords } = mergeAccountPatch({ current, patch: { receive: { port: 143, security: 'starttls' } } });
    expect(settings.receive).toEqual({ ...current.receive, port: 143, security: 'starttls' });
    expect(passwords).toEqual({ receive: { action: 'keep' }, send: { action: 'keep' } });
  });

  it('should replace arrays rather than merge them', () => {
    expect(mergeAccountPatch({ current, patch: { receive: { folders: ['INBOX'] } } }).settings.receive?.folders).toEqual(['INBOX']);
  });

  it('should set or remove a password without putting it into the settings', () => {
    const { settings, passwords } = mergeAccountPatch({ current, patch: { receive: { password: 'secret' }, send: { password: null } } });
    expect(passwords).toEqual({ receive: { action: 'set', password: 'secret' }, send: { action: 'remove' } });
    expect(JSON.stringify(settings)).not.toContain('secret');
  });

  it('should remove a whole side and its password with null', () => {
    const { settings, passwords } = mergeAccountPatch({ current, patch: { send: null } });
    expect(settings).not.toHaveProperty('send');
    expect(passwords.send).toEqual({ action: 'remove' });
  });

  it('should remove optional top-level and signature fields with null and leave the rest', () => {
    const { settings } = mergeAccountPatch({ current, patch: { note: null, signature: { html: null } } });
    expect(settings).not.toHaveProperty('note');
    expect(settings.signature).toEqual({ text: '-- Sales' });
    expect(settings.owners).toEqual(['u1']);
  });

  it('should not change the stored settings object', () => {
    const before = structuredClone(current);
    mergeAccountPatch({ current, patch: { name: 'Vertrieb', receive: { host: 'other' }, signature: { text: null } } });
    expect(current).toEqual(before);
  });
});
