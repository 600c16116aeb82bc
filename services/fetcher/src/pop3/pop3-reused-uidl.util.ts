import type { Pop3KeyedMessage } from './pop3-content-key.util';

/**
 * The key of a message whose UIDL was given before to another message: the UIDL and the LIST size,
 * joined by a space, which no UIDL contains (RFC 1939 §7: 0x21–0x7E), so it never meets a real UIDL.
 */
export const reusedUidlKey = ({ uidl, size }: { uidl: string; size: number }): string => `${uidl} size=${size}`;

/** The UIDLs listed for more than one message: a server may do that (Dovecot's pop3_uidl_duplicates=allow). */
export function sharedUidls(listing: ReadonlyArray<{ uid: string }>): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const { uid } of listing) (seen.has(uid) ? shared : seen).add(uid);
  return shared;
}

/**
 * RFC 1939 only forbids reusing a UIDL while its message exists; a server may give it to a new message
 * once the old one is deleted. A UIDL-keyed message whose LIST size differs from the one its record
 * was fetched with is such a new message: it gets reusedUidlKey, so it is fetched instead of being taken
 * for stored (and deleted unfetched). LIST sizes are compared with LIST sizes, never with the bytes
 * RETR gave: servers that estimate sizes (Exchange) or count line ends their own way keep their
 * estimate stable, and would otherwise have every message fetched again. The size is the only sign;
 * a reused UIDL on a message of the same size, or on a record without a LIST size, is not seen.
 * @param recordListSizes the LIST size each record was fetched with, by key
 */
export function rekeyReusedUidls({ messages, sizes, recordListSizes }: { messages: readonly Pop3KeyedMessage[]; sizes: ReadonlyMap<number, number>; recordListSizes: ReadonlyMap<string, number> }): Pop3KeyedMessage[] {
  return messages.map((message) => {
    const size = sizes.get(message.number);
    const recorded = recordListSizes.get(message.key);
    if (message.uidl === undefined || size === undefined || recorded === undefined || recorded === size) return message;
    return { ...message, key: reusedUidlKey({ uidl: message.uidl, size }) };
  });
}
