import { describe, expect, it } from 'vitest';
import { activeHoursSchema, createAccountSchema, updateAccountSchema } from './account.schema';

const minimal = { name: 'Sales', email: 'sales@example.com', owners: ['u1'] };

describe('createAccountSchema', () => {
  it('should fill the defaults of a receive side', () => {
    const account = createAccountSchema.parse({ ...minimal, receive: { protocol: 'imap', host: 'imap.example.com', username: 'sales', password: 'pw' } });
    expect(account.receive).toMatchObject({ enabled: true, port: 0, security: 'tls', folders: ['INBOX'], deleteAfterDays: 0, intervalSeconds: 300, multidrop: { enabled: false, envelopeHeader: 'auto', skip: 0 } });
    expect(account).toMatchObject({ serviceEnabled: true, senders: [], signature: {} });
  });

  it('should accept multidrop: true as shorthand', () => {
    const account = createAccountSchema.parse({ ...minimal, receive: { protocol: 'pop3', host: 'pop.example.com', username: 'all', multidrop: true } });
    expect(account.receive?.multidrop).toEqual({ enabled: true, envelopeHeader: 'auto', skip: 0 });
  });

  it.each([
    ['a host with a scheme', { host: 'imaps://mail.example.com' }, 'receive.host'],
    ['a port out of range', { port: 65536 }, 'receive.port'],
    ['an interval under 30 s', { intervalSeconds: 5 }, 'receive.intervalSeconds'],
    ['no folder', { folders: [] }, 'receive.folders'],
  ])('should refuse %s', (_case, override, path) => {
    const result = createAccountSchema.safeParse({ ...minimal, receive: { protocol: 'imap', host: 'imap.example.com', username: 'u', ...override } });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
  });

  it('should accept IPv6 literals as hosts', () => {
    expect(createAccountSchema.safeParse({ ...minimal, send: { host: '::1' } }).success).toBe(true);
  });
});

describe('activeHoursSchema', () => {
  it('should accept a window across midnight and default to every day in UTC', () => {
    expect(activeHoursSchema.parse({ from: '22:00', to: '06:00' })).toEqual({ from: '22:00', to: '06:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], timeZone: 'UTC' });
  });

  it.each([
    [{ from: '24:00', to: '06:00' }, 'from'],
    [{ from: '08:00', to: '08:00' }, 'to'],
    [{ from: '08:00', to: '18:00', timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ from: '08:00', to: '18:00', days: ['monday'] }, 'days.0'],
  ])('should refuse %j', (input, path) => {
    expect(activeHoursSchema.safeParse(input).error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('updateAccountSchema', () => {
  it('should take null to remove optional settings and leave out everything not given', () => {
    expect(updateAccountSchema.parse({ note: null, receive: { password: null } })).toEqual({ note: null, receive: { password: null } });
  });

  it('should not apply creation defaults to a partial update', () => {
    expect(updateAccountSchema.parse({ receive: { host: 'imap.example.com' } })).toEqual({ receive: { host: 'imap.example.com' } });
  });
});
