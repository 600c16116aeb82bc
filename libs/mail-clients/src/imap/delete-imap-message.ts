import type { ImapFlow } from 'imapflow';
import { folderSearchOrder } from './folder-search-order.util';
import { withLocatedMessage } from './locate-imap-message';
import type { ServerMessageRef } from './server-message-ref';

export type ImapDeleteOutcome =
  | { result: 'deleted'; folder: string; uid: number; expunged: boolean }
  | { result: 'not-found'; reason: string }
  /** `folder` holds several messages with the Message-ID (and size); none was deleted. */
  | { result: 'ambiguous'; folder: string; reason: string };

/**
 * Deletes one message, found like moveImapMessage finds it: flags it \Deleted and, where the
 * server has UIDPLUS, UID EXPUNGEs that UID alone. Without UIDPLUS only a plain EXPUNGE exists,
 * which would also remove every other message flagged \Deleted in the folder, so the message
 * stays flagged and `expunged` is false. Several messages matching in a folder are copies of one
 * mail: ambiguous, and all stay (deleting a guess could delete another recipient's copy). Call
 * without holding an imapflow mailbox lock.
 */
export async function deleteImapMessage(client: ImapFlow, { message, searchFolders }: { message: ServerMessageRef; searchFolders: string[] }): Promise<ImapDeleteOutcome> {
  const folders = folderSearchOrder({ seenIn: message.folder, searchFolders });
  const found = await withLocatedMessage(client, { message, folders }, async ({ uid }) => {
    const range = String(uid);
    if (client.capabilities.has('UIDPLUS')) {
      // imapflow sends UID EXPUNGE for `uid: true` when the server has UIDPLUS.
      if (!(await client.messageDelete(range, { uid: true }))) throw new Error(`IMAP UID EXPUNGE of UID ${uid} failed`);
      return true;
    }
    if (!(await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true }))) throw new Error(`IMAP STORE \\Deleted on UID ${uid} failed`);
    return false;
  });
  if (found.result === 'not-found') return found;
  if (found.result === 'ambiguous') return { ...found, reason: `${found.reason}; not deleted, to avoid deleting another recipient's copy` };
  return { result: 'deleted', folder: found.located.folder, uid: found.located.uid, expunged: found.value };
}
