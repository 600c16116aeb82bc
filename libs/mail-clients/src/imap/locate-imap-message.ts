import type { ImapFlow } from 'imapflow';
import { bracketedMessageId } from './message-id.util';
import { matchingUids, messageIdMatch, severalMatchesDescription, type MessageIdCandidate, type MessageIdMatch } from './message-id-match.util';
import { sameFolder } from './folder-search-order.util';
import type { ServerMessageRef } from './server-message-ref';

/** A message found on the server, with its folder selected. */
export interface LocatedMessage {
  folder: string;
  uidValidity: number;
  uid: number;
}

/** A refused SELECT (missing or \Noselect folder) is a tagged NO; anything else is a real failure. */
const isRefusedSelect = (error: unknown): boolean => (error as { responseStatus?: string } | undefined)?.responseStatus === 'NO';

/**
 * Runs `work` with `folder` selected under imapflow's mailbox lock; undefined when the server
 * refuses to select it. Must not be called while the caller holds a mailbox lock (it would wait forever).
 */
export async function withImapFolder<T>(client: ImapFlow, folder: string, work: (uidValidity: number) => Promise<T>): Promise<{ value: T } | undefined> {
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    lock = await client.getMailboxLock(folder);
  } catch (error) {
    if (isRefusedSelect(error)) return undefined;
    throw error;
  }
  try {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error(`IMAP folder ${folder} is not selected after SELECT`);
    return { value: await work(Number(mailbox.uidValidity)) };
  } finally {
    lock.release();
  }
}

/** The messages of the selected folder whose Message-ID header contains this id, with what tells them apart. */
async function messageIdCandidates(client: ImapFlow, messageIdHeader: string): Promise<MessageIdCandidate[]> {
  const id = bracketedMessageId(messageIdHeader);
  const hits = await client.search({ header: { 'message-id': id } }, { uid: true });
  if (!hits) throw new Error(`IMAP SEARCH for Message-ID ${id} failed`);
  if (hits.length === 0) return [];
  // SEARCH HEADER is a substring match; the envelope tells the exact id, RFC822.SIZE which copy (same FETCH).
  const messages = await client.fetchAll(hits.join(','), { uid: true, envelope: true, size: true }, { uid: true });
  return messages.map(({ uid, envelope, size }) => ({ uid, messageId: envelope?.messageId, size }));
}

/** UIDs of messages with this Message-ID (and this size, when known) in the selected folder, ascending. */
export async function searchMessageId(client: ImapFlow, messageIdHeader: string, { size }: { size?: number } = {}): Promise<number[]> {
  return matchingUids(await messageIdCandidates(client, messageIdHeader), { messageIdHeader, size });
}

async function uidExists(client: ImapFlow, uid: number): Promise<boolean> {
  const hits = await client.search({ uid: String(uid) }, { uid: true });
  if (!hits) throw new Error(`IMAP UID SEARCH ${uid} failed`);
  return hits.includes(uid);
}

/** Where withLocatedMessage ended: `work` ran on the message, it is nowhere, or a folder holds several that match. */
export type LocateOutcome<T> =
  | { result: 'found'; located: LocatedMessage; value: T }
  | { result: 'not-found'; reason: string }
  | { result: 'ambiguous'; folder: string; reason: string };

type FolderAttempt<T> = Exclude<LocateOutcome<T>, { result: 'not-found' }> | undefined;

/** The message in the selected folder: by its recorded UID while that still holds, else by Message-ID and size. */
async function findInSelectedFolder(client: ImapFlow, { folder, uidValidity, message }: { folder: string; uidValidity: number; message: ServerMessageRef }): Promise<MessageIdMatch> {
  const { uid, messageIdHeader, size } = message;
  if (sameFolder(folder, message.folder) && uid !== undefined && message.uidValidity === uidValidity && (await uidExists(client, uid))) return { kind: 'one', uid };
  if (!messageIdHeader) return { kind: 'none' };
  return messageIdMatch(await messageIdCandidates(client, messageIdHeader), { messageIdHeader, size });
}

/**
 * Finds a message: by UID in the folder it was seen in while that folder's UIDVALIDITY still
 * matches and the UID exists, else by Message-ID (and size, when known) in each folder of `folders`
 * in turn. A folder holding several that match ends the search as ambiguous, with nothing done:
 * they are copies of one mail (other recipients' in a multidrop mailbox), and which one is meant
 * cannot be told. Runs `work` with the message's folder still selected and locked, so the UID cannot
 * be reused underneath it.
 */
export async function withLocatedMessage<T>(
  client: ImapFlow,
  { message, folders }: { message: ServerMessageRef; folders: readonly string[] },
  work: (located: LocatedMessage) => Promise<T>,
): Promise<LocateOutcome<T>> {
  for (const folder of folders) {
    const attempt = await withImapFolder(client, folder, async (uidValidity): Promise<FolderAttempt<T>> => {
      const match = await findInSelectedFolder(client, { folder, uidValidity, message });
      if (match.kind === 'none') return undefined;
      if (match.kind === 'several') return { result: 'ambiguous', folder, reason: severalMatchesDescription({ messageIdHeader: message.messageIdHeader!, size: message.size, folder, count: match.uids.length }) };
      const located = { folder, uidValidity, uid: match.uid };
      return { result: 'found', located, value: await work(located) };
    });
    if (attempt?.value) return attempt.value;
  }
  return { result: 'not-found', reason: notFoundReason({ message, folders }) };
}

/** Why a message was not found, for the not-found outcome. */
function notFoundReason({ message, folders }: { message: ServerMessageRef; folders: readonly string[] }): string {
  const by = [
    message.uid !== undefined ? `UID ${message.uid} (UIDVALIDITY ${message.uidValidity ?? 'unknown'}) in ${message.folder}` : undefined,
    message.messageIdHeader ? `Message-ID ${bracketedMessageId(message.messageIdHeader)}${message.size ? ` and size ${message.size}` : ''} in ${folders.join(', ')}` : undefined,
  ].filter(Boolean);
  return by.length === 0 ? 'the reference has neither a UID nor a Message-ID' : `no message with ${by.join(' or ')}`;
}
