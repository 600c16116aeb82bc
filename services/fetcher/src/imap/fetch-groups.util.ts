/** Sources up to this size come pipelined in one FETCH; larger ones are streamed one by one. */
export const INLINE_SOURCE_MAX_BYTES = 1024 * 1024;
const INLINE_BATCH = 100;
/** A pipelined group is held in memory until stored; this bounds it. */
const INLINE_BATCH_MAX_BYTES = 8 * 1024 * 1024;

export interface MessageSize {
  uid: number;
  size: number;
}

/**
 * Consecutive small messages in groups of at most 100 messages and 8 MB, each large one alone, in
 * the given order (the order the cursors move in). UIDs in `alone` get a group of their own too.
 */
export function groupForFetch<Message extends MessageSize>(messages: Message[], alone: ReadonlySet<number> = new Set()): Message[][] {
  const groups: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  const close = (): void => {
    if (current.length > 0) groups.push(current);
    current = [];
    bytes = 0;
  };
  for (const message of messages) {
    if (message.size > INLINE_SOURCE_MAX_BYTES || alone.has(message.uid)) {
      close();
      groups.push([message]);
      continue;
    }
    if (current.length === INLINE_BATCH || bytes + message.size > INLINE_BATCH_MAX_BYTES) close();
    current.push(message);
    bytes += message.size;
  }
  close();
  return groups;
}

/** A group of one message too large to hold in memory: streamed from the connection into the store. */
export const isStreamedGroup = (group: MessageSize[]): boolean => group.length === 1 && group[0]!.size > INLINE_SOURCE_MAX_BYTES;
