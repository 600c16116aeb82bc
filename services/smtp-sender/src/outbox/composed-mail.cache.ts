import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

/** Bytes of composed mail kept per replica: a few thousand ordinary mails. */
const MAX_BYTES = 32 * 1024 * 1024;
/** A mail bigger than this is read back from the store: one would push out hundreds of small ones. */
const MAX_MAIL_BYTES = 1024 * 1024;
/** Beyond this an attempt is a retry, and a retry can afford the read. */
const TTL_MS = 5 * 60_000;

/**
 * The bytes this replica composed on acceptance, by their blob id, for the first attempt (which
 * mostly comes to the same replica within milliseconds): it then skips two store reads and the
 * decompression. Safe because a composed blob never changes once stored (its id carries the
 * Message-ID's nonce); a miss (another replica, a restart, eviction) reads the store as before.
 */
@Injectable()
export class ComposedMailCache {
  private readonly mails = new LRUCache<string, Buffer>({ maxSize: MAX_BYTES, maxEntrySize: MAX_MAIL_BYTES, sizeCalculation: (raw) => Math.max(raw.length, 1), ttl: TTL_MS });

  /** Only once the blob is stored: a cached mail must be one the store also has. */
  remember(blobId: string, raw: Buffer): void {
    this.mails.set(blobId, raw);
  }

  get(blobId: string): Buffer | undefined {
    return this.mails.get(blobId);
  }

  /** The mail went out or failed for good: nothing will send it again from here. */
  forget(blobId: string): void {
    this.mails.delete(blobId);
  }
}
