import { bracketedMessageId, sameMessageId } from './message-id.util';

/** What the FETCH of one SEARCH hit told: its UID, envelope Message-ID and RFC822.SIZE. */
export interface MessageIdCandidate {
  uid: number;
  messageId?: string;
  size?: number;
}

/** The message looked for: its Message-ID and, when known (> 0), its RFC822.SIZE as it was fetched. */
export interface MessageIdCriteria {
  messageIdHeader: string;
  size?: number;
}

export type MessageIdMatch = { kind: 'none' } | { kind: 'one'; uid: number } | { kind: 'several'; uids: number[] };

/**
 * UIDs of the candidates that are the message, ascending: the exact Message-ID (SEARCH HEADER is a
 * substring match) and, when the size is known, that size (copies of one mail share the Message-ID,
 * but a multidrop server writes each recipient's own trace headers, which mostly changes the size).
 */
export function matchingUids(candidates: readonly MessageIdCandidate[], { messageIdHeader, size }: MessageIdCriteria): number[] {
  return candidates
    .filter((candidate) => sameMessageId(candidate.messageId, messageIdHeader) && (!size || candidate.size === size))
    .map(({ uid }) => uid)
    .sort((a, b) => a - b);
}

/**
 * Which message of a folder a Message-ID search found. Several that still match are `several`, never
 * the first of them: in a multidrop mailbox the others are other recipients' copies, and moving or
 * deleting one of those on a guess is worse than leaving the server alone. This holds when the size
 * is unknown too (older events): a plain mailbox holding one mail twice then keeps both, which is
 * the harmless side of the same choice.
 */
export function messageIdMatch(candidates: readonly MessageIdCandidate[], criteria: MessageIdCriteria): MessageIdMatch {
  const uids = matchingUids(candidates, criteria);
  if (uids.length === 0) return { kind: 'none' };
  if (uids.length === 1) return { kind: 'one', uid: uids[0]! };
  return { kind: 'several', uids };
}

/** What a `several` match found, for the skipped outcome, e.g. "2 messages with Message-ID <a@b> and size 812 in INBOX". */
export function severalMatchesDescription({ messageIdHeader, size, folder, count }: MessageIdCriteria & { folder: string; count: number }): string {
  const id = bracketedMessageId(messageIdHeader);
  return size ? `${count} messages with Message-ID ${id} and size ${size} in ${folder}` : `${count} messages with Message-ID ${id} in ${folder} (no size recorded to tell them apart)`;
}
