import type { ImapFlow } from 'imapflow';
import { createImapFolder } from './create-imap-folder';
import { DEFAULT_JUNK_FOLDER_NAME, findJunkFolder } from './find-junk-folder.util';
import type { MailFolder } from './mail-folder';
import { toMailFolders } from './to-mail-folders.util';

/**
 * The Junk folder (findJunkFolder over LIST), or, with `create`, a new "Junk" (found again by its
 * name); undefined when there is none and `create` is false.
 */
export async function ensureJunkFolder(client: ImapFlow, { create }: { create: boolean }): Promise<MailFolder | undefined> {
  const existing = findJunkFolder(toMailFolders(await client.list()));
  if (existing || !create) return existing;
  await createImapFolder(client, { path: DEFAULT_JUNK_FOLDER_NAME });
  const junk = findJunkFolder(toMailFolders(await client.list()));
  if (!junk) throw new Error(`the IMAP server does not list the ${DEFAULT_JUNK_FOLDER_NAME} folder just created`);
  return junk;
}
