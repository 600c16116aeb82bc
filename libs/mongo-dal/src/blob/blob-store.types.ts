import type { Document } from 'mongodb';
import type { BlobId } from '../ids';
import type { ByteSource } from './fixed-size-chunks.util';

export interface BlobPutInput {
  /** The caller's deterministic id; a second put of it is a no-op. */
  id: BlobId;
  /** Read once, chunk by chunk; a Node Readable (not in string mode) or any AsyncIterable of bytes. */
  source: ByteSource;
  /** Stored with the blob, returned by stat. */
  metadata?: Document;
}

export interface BlobPutResult {
  id: BlobId;
  length: number;
  /** Hex sha256 of the stored content (of the earlier upload when created is false). */
  sha256: string;
  /** False when a complete blob with this id already existed; the source was then drained, not stored. */
  created: boolean;
}

export interface BlobStat {
  id: BlobId;
  length: number;
  sha256: string;
  uploadDate: Date;
  metadata: Document;
}

export interface BlobStoreOptions {
  /** GridFS chunk size; default 255 KiB (the GridFS default). */
  chunkSizeBytes?: number;
  /** How long an upload claim lives without renewal; a crashed writer's claim is taken over after it. Default 30 s. */
  leaseMs?: number;
  /** How long a put waits for another writer of the same id before BlobBusyError. Default 60 s. */
  waitTimeoutMs?: number;
}
