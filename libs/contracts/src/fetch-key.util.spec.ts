import { describe, expect, it } from 'vitest';
import { MailProtocol, fetchKey } from './index';

describe(fetchKey.name, () => {
  it('should build account/imap/folder/uidvalidity/uid when the message comes from IMAP', () => {
    expect(fetchKey({ accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX/Rechnungen', uidValidity: 1_700_000_000, uid: 4_294_967_295 })).toBe(
      'a1/imap/INBOX/Rechnungen/1700000000/4294967295',
    );
  });

  it('should build account/pop3/uidl when the message comes from POP3', () => {
    expect(fetchKey({ accountId: 'a1', protocol: MailProtocol.POP3, uidl: '000001a7/x' })).toBe('a1/pop3/000001a7/x');
  });

  it('should give the same key for the same message and different keys when UIDVALIDITY changes', () => {
    const sut = { accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX', uid: 9 } as const;
    expect(fetchKey({ ...sut, uidValidity: 1 })).toBe(fetchKey({ ...sut, uidValidity: 1 }));
    expect(fetchKey({ ...sut, uidValidity: 1 })).not.toBe(fetchKey({ ...sut, uidValidity: 2 }));
  });

  it.each([
    { accountId: '', protocol: MailProtocol.POP3, uidl: 'x' },
    { accountId: 'a/1', protocol: MailProtocol.POP3, uidl: 'x' },
    { accountId: 'a1', protocol: MailProtocol.POP3, uidl: '' },
    { accountId: 'a1', protocol: MailProtocol.IMAP, folder: '', uidValidity: 1, uid: 1 },
    { accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX', uidValidity: 0, uid: 1 },
    { accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX', uidValidity: 1, uid: 1.5 },
    { accountId: 'a1', protocol: MailProtocol.IMAP, folder: 'INBOX', uidValidity: 1, uid: 2 ** 32 },
  ] as const)('should throw when an identity part is missing or out of range: %o', (input) => {
    expect(() => fetchKey(input)).toThrow(RangeError);
  });
});
