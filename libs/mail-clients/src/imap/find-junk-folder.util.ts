import { findFolderByUseOrName } from './find-folder-by-use-or-name.util';
import type { MailFolder } from './mail-folder';

/** What ensureJunkFolder creates when no folder qualifies. */
export const DEFAULT_JUNK_FOLDER_NAME = 'Junk';

/**
 * Names of Junk folders on servers without SPECIAL-USE, most common first, lowercase NFC. Each also
 * counts under INBOX (`INBOX.Spam`).
 */
export const KNOWN_JUNK_FOLDER_NAMES: readonly string[] = [
  'junk',
  'spam',
  'junk e-mail',
  'junk-e-mail',
  'junk email',
  'junk mail',
  'bulk mail',
  'bulk',
  '[gmail]/spam',
  '[google mail]/spam',
  // de (Spam, Junk-E-Mail above), fr, es, it, nl, sv, pl (Spam above), pt, cs, da, nb, fi
  'courrier indésirable',
  'pourriel',
  'indésirables',
  'correo no deseado',
  'posta indesiderata',
  'ongewenste e-mail',
  'ongewenste mail',
  'skräppost',
  'wiadomości-śmieci',
  'lixo eletrônico',
  'lixo electrónico',
  'nevyžádaná pošta',
  'uønsket e-mail',
  'uønsket post',
  'søppelpost',
  'roskaposti',
];

/**
 * The Junk folder: the selectable `\Junk` special-use folder, else the best known name (top level
 * before INBOX's child), else undefined.
 * @example findJunkFolder(await listImapFolders(settings)) // { path: 'INBOX.Spam', … }
 */
export function findJunkFolder(folders: MailFolder[]): MailFolder | undefined {
  return findFolderByUseOrName({ folders, specialUse: '\\Junk', knownNames: KNOWN_JUNK_FOLDER_NAMES });
}
