import type { ImapFlow } from 'imapflow';
import { folderSearchOrder, sameFolder } from './folder-search-order.util';
import { searchMessageId, withImapFolder, withLocatedMessage, type LocatedMessage } from './locate-imap-message';
import type { ServerMessageRef } from './server-message-ref';
import { setImapKeywords } from './set-imap-keywords';

export type ImapMoveOutcome =
  | {
      result: 'moved';
      fromFolder: string;
      toFolder: string;
      uidValidity?: number;
      uid?: number;
      /**
       * Set on a server with neither MOVE nor UIDPLUS: the message was copied and flagged \Deleted
       * in `fromFolder` but not expunged, because a plain EXPUNGE would also remove every other
       * message flagged \Deleted there.
       */
      sourceLeftFlaggedDeleted?: true;
    }
  | { result: 'already-there'; toFolder: string; uidValidity?: number; uid?: number }
  | { result: 'not-found'; reason: string }
  /** `folder` holds several messages with the Message-ID (and size) and nothing moved: which one is meant cannot be told. */
  | { result: 'ambiguous'; folder: string; reason: string };

export interface MoveImapMessageInput {
  message: ServerMessageRef;
  to: string;
  /** Where else the message may be by now, searched by Message-ID after `message.folder`. */
  searchFolders: string[];
  /** Keywords to set before moving, e.g. `{ add: ['$Junk'], remove: ['$NotJunk'] }`; skipped where the server refuses them. */
  keywords?: { add?: string[]; remove?: string[] };
}

type MoveStep = { kind: 'already-there'; located: LocatedMessage } | { kind: 'moved'; uidValidity?: number; uid?: number; sourceLeftFlaggedDeleted?: true };

const optionalNumber = (value: bigint | number | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** MOVE, or imapflow's COPY + \Deleted + UID EXPUNGE; on a server with neither MOVE nor UIDPLUS, COPY + \Deleted only. */
async function moveSelected(client: ImapFlow, { uid, to }: { uid: number; to: string }): Promise<Extract<MoveStep, { kind: 'moved' }>> {
  const range = String(uid);
  if (!client.capabilities.has('MOVE') && !client.capabilities.has('UIDPLUS')) {
    const copied = await client.messageCopy(range, to, { uid: true });
    if (!copied) throw new Error(`IMAP COPY of UID ${uid} to ${to} failed`);
    if (!(await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true }))) throw new Error(`IMAP STORE \\Deleted on UID ${uid} failed after copying it to ${to}`);
    return { kind: 'moved', uidValidity: optionalNumber(copied.uidValidity), uid: copied.uidMap?.get(uid), sourceLeftFlaggedDeleted: true };
  }
  const moved = await client.messageMove(range, to, { uid: true });
  if (!moved) throw new Error(`IMAP MOVE of UID ${uid} to ${to} failed`);
  return { kind: 'moved', uidValidity: optionalNumber(moved.uidValidity), uid: moved.uidMap?.get(uid) };
}

/**
 * Moves one message to `to` (MOVE, or COPY + \Deleted + UID EXPUNGE via imapflow where MOVE is
 * missing). Finds it by (folder, UIDVALIDITY, UID) while those still hold, else by Message-ID in
 * `message.folder`, then in each of `searchFolders`, then in `to`: found only in `to`, it is
 * already there (another client moved it, or this is a retry) and nothing moves. Several messages
 * matching in one folder are copies of one mail (withLocatedMessage): ambiguous, and nothing moves.
 * Keywords are set first, and never fail the move. The new UID comes from COPYUID (UIDPLUS), else
 * from a Message-ID search in `to`. Call without holding an imapflow mailbox lock.
 * @example await moveImapMessage(client, { message: { folder: 'INBOX', uidValidity, uid, messageIdHeader }, to: junk.path, searchFolders: [], keywords: { add: ['$Junk'], remove: ['$NotJunk'] } })
 */
export async function moveImapMessage(client: ImapFlow, { message, to, searchFolders, keywords }: MoveImapMessageInput): Promise<ImapMoveOutcome> {
  const folders = folderSearchOrder({ seenIn: message.folder, searchFolders, last: to });
  const found = await withLocatedMessage(client, { message, folders }, async (located): Promise<MoveStep> => {
    await setImapKeywords(client, { uid: located.uid, ...keywords });
    if (sameFolder(located.folder, to)) return { kind: 'already-there', located };
    return moveSelected(client, { uid: located.uid, to });
  });
  if (found.result === 'not-found') return found;
  if (found.result === 'ambiguous') return { ...found, reason: `${found.reason}; not moved, to avoid moving another recipient's copy` };
  const { located, value: step } = found;
  if (step.kind === 'already-there') return { result: 'already-there', toFolder: located.folder, uidValidity: located.uidValidity, uid: located.uid };
  const moved = { result: 'moved' as const, fromFolder: located.folder, toFolder: to, ...(step.sourceLeftFlaggedDeleted ? { sourceLeftFlaggedDeleted: true as const } : {}) };
  if (step.uid !== undefined && step.uidValidity !== undefined) return { ...moved, uidValidity: step.uidValidity, uid: step.uid };
  // No COPYUID: the newest message with this Message-ID (and size) in `to` is the one just moved there.
  const { messageIdHeader, size } = message;
  if (!messageIdHeader) return moved;
  const after = await withImapFolder(client, to, async (uidValidity) => ({ uidValidity, uid: (await searchMessageId(client, messageIdHeader, { size })).at(-1) }));
  return after?.value.uid === undefined ? moved : { ...moved, ...after.value };
}
