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

const UNSELECTABLE = new Set(['\\noselect', '\\nonexistent']);

const flagsOf = (folder: ListedFolder): string[] => [...(folder.flags ?? [])].map((flag) => flag.toLowerCase());
const isSelectable = (folder: ListedFolder): boolean => !flagsOf(folder).some((flag) => UNSELECTABLE.has(flag));
const isSpecialUseSent = (folder: ListedFolder): boolean => folder.specialUse?.toLowerCase() === '\\sent' || flagsOf(folder).includes('\\sent');

/** Lowercase NFC segments joined by '/', without a leading INBOX; whether there was one. */
function normalizedName(folder: ListedFolder): { name: string; underInbox: boolean } {
  const splitter = folder.delimiter ? folder.delimiter : /[/.]/;
  const segments = folder.path.normalize('NFC').toLowerCase().split(splitter);
  const underInbox = segments.length > 1 && segments[0] === 'inbox';
  return { name: (underInbox ? segments.slice(1) : segments).join('/'), underInbox };
}

/**
 * The folder to APPEND sent mail to: the selectable `\Sent` special-use folder, else the best known
 * name (by KNOWN_SENT_FOLDER_NAMES order, top level before INBOX's child), else undefined and the
 * caller creates DEFAULT_SENT_FOLDER_NAME.
 * @example findSentFolder(await client.list()) // { path: 'INBOX.Sent', delimiter: '.', … }
 */
export function findSentFolder<T extends ListedFolder>(folders: readonly T[]): T | undefined {
  const selectable = folders.filter(isSelectable);
  const special = selectable.find(isSpecialUseSent);
  if (special) return special;
  let best: { folder: T; rank: number } | undefined;
  for (const folder of selectable) {
    const { name, underInbox } = normalizedName(folder);
    const index = KNOWN_SENT_FOLDER_NAMES.indexOf(name);
    if (index === -1) continue;
    const rank = index * 2 + (underInbox ? 1 : 0);
    if (!best || rank < best.rank) best = { folder, rank };
  }
  return best?.folder;
}
