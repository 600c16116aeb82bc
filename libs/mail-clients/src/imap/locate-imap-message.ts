import type { ImapFlow } from 'imapflow';
import { bracketedMessageId, sameMessageId } from './message-id.util';
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

/** UIDs of messages with this Message-ID in the selected folder, ascending. */
export async function searchMessageId(client: ImapFlow, messageIdHeader: string): Promise<number[]> {
  const id = bracketedMessageId(messageIdHeader);
  const hits = await client.search({ header: { 'message-id': id } }, { uid: true });
  if (!hits) throw new Error(`IMAP SEARCH for Message-ID ${id} failed`);
  if (hits.length === 0) return [];
  // SEARCH HEADER is a substring match; the envelope tells the exact id.
  const messages = await client.fetchAll(hits.join(','), { uid: true, envelope: true }, { uid: true });
  return messages
    .filter((message) => sameMessageId(message.envelope?.messageId, id))
    .map((message) => message.uid)
    .sort((a, b) => a - b);
}

async function uidExists(client: ImapFlow, uid: number): Promise<boolean> {
  const hits = await client.search({ uid: String(uid) }, { uid: true });
  if (!hits) throw new Error(`IMAP UID SEARCH ${uid} failed`);
  return hits.includes(uid);
}

/**
 * Finds a message: by UID in the folder it was seen in while that folder's UIDVALIDITY still
 * matches and the UID exists, else by Message-ID in each folder of `folders` in turn (the first
 * and lowest UID wins). Runs `work` with the message's folder still selected and locked, so the
 * UID cannot be reused underneath it; undefined when the message is nowhere.
 */
export async function withLocatedMessage<T>(
  client: ImapFlow,
  { message, folders }: { message: ServerMessageRef; folders: readonly string[] },
  work: (located: LocatedMessage) => Promise<T>,
): Promise<{ located: LocatedMessage; value: T } | undefined> {
  for (const folder of folders) {
    const attempt = await withImapFolder(client, folder, async (uidValidity) => {
      const knownUid = sameFolder(folder, message.folder) && message.uid !== undefined && message.uidValidity === uidValidity && (await uidExists(client, message.uid)) ? message.uid : undefined;
      const uid = knownUid ?? (message.messageIdHeader ? (await searchMessageId(client, message.messageIdHeader))[0] : undefined);
      if (uid === undefined) return undefined;
      const located = { folder, uidValidity, uid };
      return { located, value: await work(located) };
    });
    if (attempt?.value) return attempt.value;
  }
  return undefined;
}

/** Why a message was not found, for the not-found outcome. */
export function notFoundReason({ message, folders }: { message: ServerMessageRef; folders: readonly string[] }): string {
  const by = [
    message.uid !== undefined ? `UID ${message.uid} (UIDVALIDITY ${message.uidValidity ?? 'unknown'}) in ${message.folder}` : undefined,
    message.messageIdHeader ? `Message-ID ${bracketedMessageId(message.messageIdHeader)} in ${folders.join(', ')}` : undefined,
  ].filter(Boolean);
  return by.length === 0 ? 'the reference has neither a UID nor a Message-ID' : `no message with ${by.join(' or ')}`;
}
