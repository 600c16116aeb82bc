import { describe, expect, it } from 'vitest';
import { findJunkFolder } from './find-junk-folder.util';
import type { MailFolder } from './mail-folder';

const folder = (path: string, fields: Partial<MailFolder> = {}): MailFolder => {
  const delimiter = fields.delimiter ?? '/';
  return { path, name: path.split(delimiter).pop()!, delimiter, flags: [], subscribed: true, selectable: true, ...fields };
};

describe(findJunkFolder.name, () => {
  it('should prefer the \\Junk special-use folder over any name', () => {
    const sut = findJunkFolder([folder('INBOX'), folder('Junk'), folder('Unerwünscht', { specialUse: '\\Junk', flags: ['\\Junk'] })]);
    expect(sut?.path).toBe('Unerwünscht');
  });

  it('should take a \\Junk flag that imapflow did not map to specialUse', () => {
    expect(findJunkFolder([folder('Spam'), folder('Quarantäne', { flags: ['\\HasNoChildren', '\\Junk'] })])?.path).toBe('Quarantäne');
  });

  it.each([
    ['Spam', ['INBOX', 'Archive', 'Spam']],
    ['junk e-mail', ['INBOX', 'junk e-mail']],
    ['Junk-E-Mail', ['INBOX', 'Junk-E-Mail']],
    ['Bulk Mail', ['INBOX', 'Bulk Mail']],
    ['[Gmail]/Spam', ['INBOX', '[Gmail]', '[Gmail]/Spam']],
    ['[Google Mail]/Spam', ['INBOX', '[Google Mail]/Spam']],
    ['Courrier indésirable', ['INBOX', 'Courrier indésirable']],
    ['Correo no deseado', ['INBOX', 'Correo no deseado']],
    ['Posta indesiderata', ['INBOX', 'Posta indesiderata']],
    ['Ongewenste e-mail', ['INBOX', 'Ongewenste e-mail']],
    ['Skräppost', ['INBOX', 'Skräppost']],
    ['Wiadomości-śmieci', ['INBOX', 'Wiadomości-śmieci']],
    ['Lixo eletrônico', ['INBOX', 'Lixo eletrônico']],
    ['Nevyžádaná pošta', ['INBOX', 'Nevyžádaná pošta']],
    ['Uønsket e-mail', ['INBOX', 'Uønsket e-mail']],
  ])('should find %s by its name, case-insensitively', (expected, paths) => {
    expect(findJunkFolder(paths.map((path) => folder(path)))?.path).toBe(expected);
  });

  it('should find a name under INBOX with any delimiter, but prefer the top level', () => {
    expect(findJunkFolder([folder('INBOX', { delimiter: '.' }), folder('INBOX.Spam', { delimiter: '.' })])?.path).toBe('INBOX.Spam');
    expect(findJunkFolder([folder('INBOX/Junk'), folder('Junk')])?.path).toBe('Junk');
  });

  it('should rank known names: Junk before Spam wherever they are listed', () => {
    expect(findJunkFolder([folder('Spam'), folder('INBOX/Junk'), folder('Junk')])?.path).toBe('Junk');
  });

  it('should match a decomposed (NFD) name like its composed form', () => {
    expect(findJunkFolder([folder('Skräppost'.normalize('NFD'))])?.path).toBe('Skräppost'.normalize('NFD'));
  });

  it('should skip folders that cannot hold mail and answer undefined without a match', () => {
    expect(findJunkFolder([folder('Junk', { selectable: false, flags: ['\\Noselect'] }), folder('Spam', { specialUse: '\\Junk', flags: ['\\NonExistent'], selectable: false })])).toBeUndefined();
    expect(findJunkFolder([folder('INBOX'), folder('Junkyard'), folder('Archive/Spam')])).toBeUndefined();
  });
});
