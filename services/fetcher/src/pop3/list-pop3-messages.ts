import { Pop3ResponseError, Pop3UnsupportedError, type Pop3Client } from '@mailbus/mail-clients';
import { assignContentKeys, contentDigest, type Pop3KeyedMessage } from './pop3-content-key.util';

export interface Pop3Listing {
  /** Ascending message numbers. */
  messages: Pop3KeyedMessage[];
  keyedBy: 'uidl' | 'content';
  /** Content keys only: messages whose TOP the server refused; they cannot be keyed this session. */
  unkeyed: Array<{ number: number; message: string }>;
}

/**
 * The mailbox as the fetch records know it: by UIDL, or, on a server that answers UIDL with -ERR,
 * by content key (header block + size, see contentDigest). The fallback costs one TOP per message
 * per run; such servers are old and small, and without a key per message nothing would stop the
 * same mail from being fetched on every run.
 */
export async function listPop3Messages(client: Pop3Client): Promise<Pop3Listing> {
  try {
    const listing = await client.uidl();
    return { keyedBy: 'uidl', messages: listing.map(({ number, uid }) => ({ number, key: uid, siblings: [] })).sort((a, b) => a.number - b.number), unkeyed: [] };
  } catch (error) {
    if (!(error instanceof Pop3UnsupportedError)) throw error;
  }
  const digests: Array<{ number: number; digest: string }> = [];
  const unkeyed: Pop3Listing['unkeyed'] = [];
  for (const { number, size } of await client.list()) {
    try {
      digests.push({ number, digest: contentDigest({ header: await client.top({ number, lines: 0 }), size }) });
    } catch (error) {
      if (!(error instanceof Pop3ResponseError && error.refusedByServer)) throw error;
      unkeyed.push({ number, message: error.message });
    }
  }
  return { keyedBy: 'content', messages: assignContentKeys(digests), unkeyed };
}
