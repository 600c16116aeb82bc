import { describe, expect, it } from 'vitest';
import type { CreateAccountInput } from '@mailbus/contracts';
import { createAccountSchema } from '@mailbus/contracts';
import { mergeAccountPatch } from './account-merge.util';
import { updateAccountSchema as accountPatchSchema } from '@mailbus/contracts';

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

  describe('nested objects of a side', () => {
    const stored: CreateAccountInput = {
      ...current,
      receive: {
        ...current.receive!,
        multidrop: { enabled: true, envelopeHeader: 'Delivered-To', skip: 1 },
        activeHours: { days: ['mon', 'tue'], from: '07:00', to: '19:00', timeZone: 'Europe/Berlin' },
      },
    };
    /** As account-registry handles a PATCH: parsed, merged, and the result parsed like a new account. */
    const patched = (patch: unknown) => createAccountSchema.parse(mergeAccountPatch({ current: stored, patch: accountPatchSchema.parse(patch) }).settings).receive;

    it('should keep the multidrop fields a patch leaves out', () => {
      expect(patched({ receive: { multidrop: { skip: 2 } } })?.multidrop).toEqual({ enabled: true, envelopeHeader: 'Delivered-To', skip: 2 });
    });

    it('should take multidrop: false as { enabled: false } and keep the header and skip', () => {
      expect(patched({ receive: { multidrop: false } })?.multidrop).toEqual({ enabled: false, envelopeHeader: 'Delivered-To', skip: 1 });
    });

    it('should keep the days and time zone when a patch changes only the active hours', () => {
      expect(patched({ receive: { activeHours: { from: '08:00', to: '17:00' } } })?.activeHours).toEqual({ days: ['mon', 'tue'], from: '08:00', to: '17:00', timeZone: 'Europe/Berlin' });
    });

    it('should replace the days (an array) and remove the active hours with null', () => {
      expect(patched({ receive: { activeHours: { days: ['sat'] } } })?.activeHours?.days).toEqual(['sat']);
      expect(patched({ receive: { activeHours: null } })).not.toHaveProperty('activeHours');
    });

    it('should fill the defaults of a nested object that was not stored before', () => {
      const { activeHours: _none, ...withoutHours } = stored.receive!;
      const merged = mergeAccountPatch({ current: { ...stored, receive: withoutHours }, patch: accountPatchSchema.parse({ receive: { activeHours: { from: '08:00', to: '17:00' } } }) });
      expect(createAccountSchema.parse(merged.settings).receive?.activeHours).toEqual({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '08:00', to: '17:00', timeZone: 'UTC' });
    });

    it('should leave out fields given as null in a side that was not stored before', () => {
      const { send: _none, ...withoutSend } = stored;
      const { settings } = mergeAccountPatch({ current: withoutSend, patch: accountPatchSchema.parse({ send: { host: 'smtp.example.com', username: null, sentFolder: null } }) });
      expect(settings.send).toEqual({ host: 'smtp.example.com' });
    });
  });
});
