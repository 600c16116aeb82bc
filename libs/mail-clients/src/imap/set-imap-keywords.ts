import type { ImapFlow } from 'imapflow';
import { keywordChanges } from './keyword-changes.util';

/**
 * Brings the keywords of a message in the selected folder to what is wanted, storing only real
 * changes. Never fails: a server that refuses a keyword still moves or keeps the message.
 */
export async function setImapKeywords(client: ImapFlow, { uid, add, remove }: { uid: number; add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
  if (!add?.length && !remove?.length) return;
  try {
    const message = await client.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
    if (!message) return;
    const changes = keywordChanges({ current: message.flags ?? [], add, remove, permanentFlags: client.mailbox ? client.mailbox.permanentFlags : undefined });
    if (changes.add.length > 0) await client.messageFlagsAdd(String(uid), changes.add, { uid: true });
    if (changes.remove.length > 0) await client.messageFlagsRemove(String(uid), changes.remove, { uid: true });
  } catch (error) {
    // A lost connection is no keyword problem: the move that follows must see it.
    if (!client.usable) throw error;
  }
}
