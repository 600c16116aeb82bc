import { createHash } from 'node:crypto';

/** A message of one POP3 listing with the key its fetch record is stored under. */
export interface Pop3KeyedMessage {
  number: number;
  /** The UIDL, or on a server without UIDL a content key (see assignContentKeys). */
  key: string;
  /**
   * Content keys only: the keys of the other messages of this listing with the same header block
   * and size. Such messages cannot be told apart from one another across sessions (see
   * messagesToDelete for why that matters).
   */
  siblings: string[];
  /** The server's UIDL when the message is keyed by it (see rekeyReusedUidls). */
  uidl?: string;
}

/**
 * What identifies a message on a server without UIDL: its header block (TOP n 0; Received lines,
 * Message-ID and Date make it unique in practice) and its LIST size, neither of which changes
 * between sessions. `sha256:<hex>` is stored where the UIDL goes.
 */
export function contentDigest({ header, size }: { header: Buffer; size: number }): string {
  return `sha256:${createHash('sha256').update(header).update(`\0${size}`).digest('hex')}`;
}

/**
 * Keys for a listing without UIDL: the digest for the first message (by message number) with that
 * digest, `<digest>#2`, `<digest>#3` … for further ones, so two messages of one listing never share
 * a key, and a message keeps its key across runs as long as no identical message before it goes.
 * @example assignContentKeys([{ number: 1, digest: 'sha256:ab' }, { number: 2, digest: 'sha256:ab' }])
 * // [{ number: 1, key: 'sha256:ab', siblings: ['sha256:ab#2'] }, { number: 2, key: 'sha256:ab#2', siblings: ['sha256:ab'] }]
 */
export function assignContentKeys(messages: ReadonlyArray<{ number: number; digest: string }>): Pop3KeyedMessage[] {
  const groups = new Map<string, string[]>();
  const keyed = [...messages]
    .sort((a, b) => a.number - b.number)
    .map(({ number, digest }) => {
      const group = groups.get(digest) ?? [];
      groups.set(digest, group);
      const key = group.length === 0 ? digest : `${digest}#${group.length + 1}`;
      group.push(key);
      return { number, key, group };
    });
  return keyed.map(({ number, key, group }) => ({ number, key, siblings: group.filter((other) => other !== key) }));
}
