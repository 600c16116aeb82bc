import { describe, expect, it } from 'vitest';
import type { AccountDocument } from '@mailbus/directory';
import { changedSettings } from './account-changes.util';

const base: AccountDocument = {
  _id: 'a1',
  name: 'Sales',
  email: 'sales@example.com',
  emailKey: 'sales@example.com',
  owners: ['u1'],
  senders: [],
  serviceEnabled: true,
  priority: false,
  signature: {},
  receive: { enabled: true, protocol: 'imap', host: 'h', port: 0, security: 'tls', username: 'u', folders: ['INBOX'], leaveOnServer: false, deleteAfterDays: 0, intervalSeconds: 300, multidrop: { enabled: false, envelopeHeader: 'auto', skip: 0 }, passwordSealed: 'mb1.k.a.b.c' },
  revision: 1,
  pendingPublish: false,
  lastChange: { kind: 'created', settings: [] },
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('changedSettings', () => {
  it('should be empty when nothing changed, whatever the key order', () => {
    const { name, ...rest } = base;
    expect(changedSettings({ before: base, after: { ...rest, name } as AccountDocument })).toEqual([]);
  });

  it('should name groups of settings, and a new password as credentials only', () => {
    const after: AccountDocument = { ...base, note: 'x', owners: ['u2'], receive: { ...base.receive!, passwordSealed: 'mb1.k.d.e.f' } };
    expect(changedSettings({ before: base, after })).toEqual(['identity', 'owners', 'credentials']);
  });

  it('should name receive for a changed folder list', () => {
    expect(changedSettings({ before: base, after: { ...base, receive: { ...base.receive!, folders: ['INBOX', 'Sent'] } } })).toEqual(['receive']);
  });
});
