import { ImapFlow } from 'imapflow';
import type { MailClientOptions, MailServerSettings } from '../mail-server-settings';
import { imapFlowOptions } from './imap-options.util';

/**
 * One short IMAP session: connects, runs `work`, and logs out (or drops the connection when logout
 * fails). Each command is bounded by the options' timeout. imapflow's 'error' events are swallowed
 * here because a dropped connection also rejects the command in flight, which is what reports it.
 * @example const folders = await withImapClient(settings, { timeoutMs }, async (client) => client.list());
 */
export async function withImapClient<T>(settings: MailServerSettings, options: MailClientOptions, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow(imapFlowOptions(settings, options));
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
