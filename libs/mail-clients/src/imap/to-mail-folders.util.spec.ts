import { describe, expect, it } from 'vitest';
import { toMailFolders, type ListedFolder } from './to-mail-folders.util';

const folder = (path: string, fields: Partial<ListedFolder> = {}): ListedFolder => ({ path, name: path.split('/').pop()!, delimiter: '/', flags: new Set(), subscribed: true, ...fields });

describe(toMailFolders.name, () => {
  it('should put INBOX first and sort the rest by path', () => {
    const sut = toMailFolders([folder('Trash'), folder('Archive/2024'), folder('INBOX'), folder('Archive'), folder('Drafts')]);
    expect(sut.map(({ path }) => path)).toEqual(['INBOX', 'Archive', 'Archive/2024', 'Drafts', 'Trash']);
  });

  it('should keep known special uses and drop others', () => {
    const [inbox, sent, important] = toMailFolders([folder('INBOX', { specialUse: '\\Inbox' }), folder('Sent', { specialUse: '\\Sent' }), folder('Wichtig', { specialUse: '\\Important' })]);
    expect(inbox).toMatchObject({ specialUse: '\\Inbox' });
    expect(sent).toMatchObject({ specialUse: '\\Sent' });
    expect(important).not.toHaveProperty('specialUse');
  });

  it('should mark \\Noselect and \\NonExistent folders as not selectable', () => {
    const sut = toMailFolders([
      folder('A', { flags: new Set(['\\Noselect', '\\HasChildren']) }),
      folder('B', { flags: new Set(['\\NonExistent']) }),
      folder('C', { flags: new Set(['\\HasNoChildren']), subscribed: undefined }),
    ]);
    expect(sut.map(({ selectable }) => selectable)).toEqual([false, false, true]);
    expect(sut[0]?.flags).toEqual(['\\Noselect', '\\HasChildren']);
    expect(sut[2]?.subscribed).toBe(false);
  });
});
