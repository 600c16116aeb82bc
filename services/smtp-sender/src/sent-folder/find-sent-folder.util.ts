import { findFolderByUseOrName, type MailFolderSpecialUse } from '@mailbus/mail-clients';
/** An imapflow `list()` entry, as far as finding Sent needs it. */
export interface ListedFolder {
  path: string;
  /** imapflow: `\Sent` from SPECIAL-USE or XLIST, or guessed by imapflow from the name. */
  specialUse?: string;
  flags?: ReadonlySet<string> | readonly string[];
  delimiter?: string;
}

/** What the caller creates when no folder qualifies. */
export const DEFAULT_SENT_FOLDER_NAME = 'Sent';

/**
 * Names of Sent folders on servers without SPECIAL-USE, most common first, lowercase. Each also
 * counts under INBOX (Courier and Cyrus: `INBOX.Sent`), with any delimiter.
 */
export const KNOWN_SENT_FOLDER_NAMES: readonly string[] = [
  'sent',
  'sent items',
  'sent messages',
  'sent mail',
  '[gmail]/sent mail',
  '[google mail]/sent mail',
  'gesendet',
  'gesendete elemente',
  'gesendete objekte',
  'envoyés',
  'éléments envoyés',
  'enviados',
  'elementos enviados',
  'itens enviados',
  'inviata',
  'posta inviata',
  'verzonden',
  'verzonden items',
];

/**
 * The folder to APPEND sent mail to: the selectable `\Sent` special-use folder, else the best known
 * name (by KNOWN_SENT_FOLDER_NAMES order, top level before INBOX's child), else undefined and the
 * caller creates DEFAULT_SENT_FOLDER_NAME. The lookup is the one Junk discovery uses too.
 * @example findSentFolder(await client.list()) // { path: 'INBOX.Sent', delimiter: '.', … }
 */
export function findSentFolder<T extends ListedFolder>(folders: readonly T[]): T | undefined {
  const candidates = folders.map((folder, index) => ({ index, path: folder.path, delimiter: folder.delimiter ?? '', ...(folder.specialUse ? { specialUse: folder.specialUse as MailFolderSpecialUse } : {}), flags: [...(folder.flags ?? [])], selectable: true }));
  const found = findFolderByUseOrName({ folders: candidates, specialUse: '\\Sent', knownNames: KNOWN_SENT_FOLDER_NAMES });
  return found ? folders[found.index] : undefined;
}
