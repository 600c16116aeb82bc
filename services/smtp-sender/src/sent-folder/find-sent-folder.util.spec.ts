import { describe, expect, it } from 'vitest';
import { findSentFolder, type ListedFolder } from './find-sent-folder.util';

/** Shaped like imapflow 2.10 `list()` entries (flags as a Set). */
const folder = (path: string, { delimiter = '/', specialUse, flags = [] }: { delimiter?: string; specialUse?: string; flags?: string[] } = {}): ListedFolder => ({
  path,
  delimiter,
  flags: new Set(flags),
  ...(specialUse ? { specialUse } : {}),
});

describe(findSentFolder.name, () => {
  it('should pick the \\Sent special-use folder whatever its name', () => {
    const folders = [folder('INBOX', { specialUse: '\\Inbox' }), folder('Sent'), folder('Postausgang/Verschickt', { specialUse: '\\Sent', flags: ['\\HasNoChildren', '\\Sent'] })];
    expect(findSentFolder(folders)?.path).toBe('Postausgang/Verschickt');
  });

  it('should pick a folder flagged \\Sent when specialUse is not filled in', () => {
    expect(findSentFolder([folder('Outbox-Copies', { flags: ['\\Sent'] }), folder('Sent')])?.path).toBe('Outbox-Copies');
  });

  it.each([
    ['Sent', '/'],
    ['Sent Items', '/'],
    ['Sent Messages', '/'],
    ['Gesendet', '.'],
    ['Gesendete Elemente', '/'],
    ['Gesendete Objekte', '/'],
    ['Envoyés', '/'],
    ['Éléments envoyés', '/'],
    ['E\u0301le\u0301ments envoye\u0301s', '/'],
    ['Enviados', '/'],
    ['Inviata', '/'],
    ['Posta inviata', '/'],
    ['Verzonden', '/'],
    ['[Gmail]/Sent Mail', '/'],
    ['[Gmail].Sent Mail', '.'],
    ['INBOX.Sent', '.'],
    ['INBOX/Sent', '/'],
    ['inbox.sent items', '.'],
    ['SENT', '/'],
  ])('should find %s by name when there is no special use (delimiter %s)', (path, delimiter) => {
    expect(findSentFolder([folder('INBOX', { delimiter }), folder('Drafts', { delimiter }), folder(path, { delimiter })])?.path).toBe(path);
  });

  it('should prefer a top-level Sent to INBOX.Sent, and Sent to Sent Items', () => {
    expect(findSentFolder([folder('INBOX.Sent', { delimiter: '.' }), folder('Sent', { delimiter: '.' })])?.path).toBe('Sent');
    expect(findSentFolder([folder('Sent Items'), folder('Sent')])?.path).toBe('Sent');
  });

  it('should skip folders that cannot hold messages', () => {
    expect(findSentFolder([folder('Sent', { specialUse: '\\Sent', flags: ['\\Noselect', '\\Sent'] }), folder('Sent Items')])?.path).toBe('Sent Items');
  });

  it('should not match a Sent folder nested elsewhere, or names that only contain Sent', () => {
    expect(findSentFolder([folder('INBOX'), folder('Archive/Sent'), folder('Sent-2019'), folder('Unsent')])).toBeUndefined();
  });

  it('should split by both / and . when the delimiter is unknown', () => {
    expect(findSentFolder([{ path: 'INBOX.Sent' }])?.path).toBe('INBOX.Sent');
  });

  it('should return undefined for an empty list', () => {
    expect(findSentFolder([])).toBeUndefined();
  });
});
