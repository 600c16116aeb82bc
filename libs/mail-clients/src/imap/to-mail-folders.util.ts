import { MAIL_FOLDER_SPECIAL_USES, type MailFolder, type MailFolderSpecialUse } from './mail-folder';

/** The fields of imapflow's ListResponse we use. */
export interface ListedFolder {
  path: string;
  name: string;
  delimiter: string;
  specialUse?: string;
  flags: Set<string>;
  subscribed?: boolean;
}

const isSpecialUse = (value: string | undefined): value is MailFolderSpecialUse => (MAIL_FOLDER_SPECIAL_USES as readonly (string | undefined)[]).includes(value);

const byInboxThenPath = (a: MailFolder, b: MailFolder): number => {
  if (a.path === 'INBOX' || b.path === 'INBOX') return a.path === 'INBOX' ? (b.path === 'INBOX' ? 0 : -1) : 1;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
};

/** imapflow's LIST result as MailFolders, INBOX first, then by path (code-point order, stable across locales). */
export function toMailFolders(listed: readonly ListedFolder[]): MailFolder[] {
  return listed
    .map((folder) => ({
      path: folder.path,
      name: folder.name,
      delimiter: folder.delimiter,
      ...(isSpecialUse(folder.specialUse) ? { specialUse: folder.specialUse } : {}),
      flags: [...folder.flags],
      subscribed: folder.subscribed ?? false,
      selectable: !folder.flags.has('\\Noselect') && !folder.flags.has('\\NonExistent'),
    }))
    .sort(byInboxThenPath);
}
