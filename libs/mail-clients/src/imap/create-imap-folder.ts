import type { ImapFlow } from 'imapflow';

/**
 * Creates a folder (imapflow also subscribes it); `created` is false when it existed already. No
 * special-use flag is asked for (CREATE-SPECIAL-USE is rare, and imapflow cannot send it): mailbus
 * finds the folders it creates, Sent and Junk, by their names as well.
 */
export async function createImapFolder(client: ImapFlow, { path }: { path: string }): Promise<{ created: boolean }> {
  const { created } = await client.mailboxCreate(path);
  return { created };
}
