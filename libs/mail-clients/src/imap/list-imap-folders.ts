import { ImapFlow } from 'imapflow';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions, type MailServerSettings } from '../mail-server-settings';
import { toMailConnectionError } from '../to-mail-connection-error.util';
import { withDeadline } from '../with-deadline.util';
import { imapFlowOptions } from './imap-options.util';
import type { MailFolder } from './mail-folder';
import { toMailFolders } from './to-mail-folders.util';

/**
 * The server's folders with their special-use flags, INBOX first, then by path. The whole exchange
 * is bounded by `timeoutMs`; any failure is a MailConnectionError with the class and the server's text.
 * @example const folders = await listImapFolders(settings, { timeoutMs: 10_000 }); // [{ path: 'INBOX', specialUse: '\\Inbox', … }, …]
 */
export async function listImapFolders(settings: MailServerSettings, options: MailClientOptions = {}): Promise<MailFolder[]> {
  const client = new ImapFlow(imapFlowOptions(settings, options));
  client.on('error', () => undefined); // reported through the rejected promise below
  const work = (async () => {
    await client.connect();
    try {
      return toMailFolders(await client.list());
    } finally {
      await client.logout().catch(() => client.close());
    }
  })();
  try {
    return await withDeadline({ work, timeoutMs: options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS, what: `IMAP ${settings.host}`, onTimeout: () => client.close() });
  } catch (error) {
    throw toMailConnectionError(error);
  }
}
