import { Pop3ResponseError, Pop3UnsupportedError, type Pop3Client, type Pop3MessageInfo, type Pop3UidInfo } from '@mailbus/mail-clients';
import { assignContentKeys, contentDigest, type Pop3KeyedMessage } from './pop3-content-key.util';
import { sharedUidls } from './pop3-reused-uidl.util';

export interface Pop3Listing {
  /** Ascending message numbers. */
  messages: Pop3KeyedMessage[];
  keyedBy: 'uidl' | 'content';
  /** Messages keyed by content whose TOP the server refused; they cannot be keyed this session. */
  unkeyed: Array<{ number: number; message: string }>;
  /** LIST sizes by message number. */
  sizes: Map<number, number>;
  /** UIDLs the server listed for more than one message; those messages are keyed by content. */
  sharedUidls: string[];
}

/**
 * The mailbox as the fetch records know it: by UIDL, or, on a server that answers UIDL with -ERR,
 * by content key (header block + size, see contentDigest). The fallback costs one TOP per message
 * per run; such servers are old and small, and without a key per message nothing would stop the
 * same mail from being fetched on every run. Messages that share a UIDL are keyed by content too:
 * one key for two messages would store one of them and let both be deleted.
 */
export async function listPop3Messages(client: Pop3Client): Promise<Pop3Listing> {
  const uidls = await uidlListing(client);
  const listed = await client.list();
  const sizes = new Map(listed.map(({ number, size }) => [number, size]));
  if (!uidls) return { keyedBy: 'content', ...(await keyByContent({ client, listed })), sizes, sharedUidls: [] };
  const shared = sharedUidls(uidls);
  const byUidl = uidls.filter(({ uid }) => !shared.has(uid)).map(({ number, uid }) => ({ number, key: uid, siblings: [], uidl: uid }));
  const sharing = new Set(uidls.filter(({ uid }) => shared.has(uid)).map(({ number }) => number));
  const byContent = await keyByContent({ client, listed: listed.filter(({ number }) => sharing.has(number)) });
  return { keyedBy: 'uidl', messages: [...byUidl, ...byContent.messages].sort((a, b) => a.number - b.number), unkeyed: byContent.unkeyed, sizes, sharedUidls: [...shared] };
}

/** The UIDL listing, or undefined from a server without UIDL. */
async function uidlListing(client: Pop3Client): Promise<Pop3UidInfo[] | undefined> {
  try {
    return await client.uidl();
  } catch (error) {
    if (!(error instanceof Pop3UnsupportedError)) throw error;
    return undefined;
  }
}

/** Content keys (TOP n 0 and the size) for these messages; one whose TOP is refused stays unkeyed. */
async function keyByContent({ client, listed }: { client: Pop3Client; listed: readonly Pop3MessageInfo[] }): Promise<Pick<Pop3Listing, 'messages' | 'unkeyed'>> {
  const digests: Array<{ number: number; digest: string }> = [];
  const unkeyed: Pop3Listing['unkeyed'] = [];
  for (const { number, size } of listed) {
    try {
      digests.push({ number, digest: contentDigest({ header: await client.top({ number, lines: 0 }), size }) });
    } catch (error) {
      if (!(error instanceof Pop3ResponseError && error.refusedByServer)) throw error;
      unkeyed.push({ number, message: error.message });
    }
  }
  return { messages: assignContentKeys(digests), unkeyed };
}
