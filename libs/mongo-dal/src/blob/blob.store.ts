import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Binary, type Collection, type Db, type Document, type ObjectId } from 'mongodb';
import type { BlobId } from '../ids';
import type { IndexSpec } from '../indexes/index-spec';
import { MONGO_DB } from '../mongo.constants';
import { isDuplicateKeyError, isOnlyDuplicateKeyErrors } from '../repository/duplicate-key.util';
import { BlobBusyError } from './blob-busy.error';
import { BlobIntegrityError } from './blob-integrity.error';
import { BlobNotFoundError } from './blob-not-found.error';
import type { BlobPutInput, BlobPutResult, BlobStat, BlobStoreOptions } from './blob-store.types';
import { decodeStream, encodeBytes, encodeStream, type BlobEncoding, type ContentDigest } from './blob-encoding';
import { BlobUploadClaims, type BlobClaimDocument } from './blob-upload-claims';
import { fixedSizeChunks, type ByteSource } from './fixed-size-chunks.util';

/** Injection token of optional BlobStoreOptions. */
export const BLOB_STORE_OPTIONS = Symbol('BLOB_STORE_OPTIONS');

const BUCKET = 'blobs';
const DEFAULT_CHUNK_SIZE = 255 * 1024;
/** Chunks per insertMany while writing, and per cursor batch while reading: about 1 MiB in memory each way. */
const CHUNKS_PER_BATCH = 4;
/** Blobs of up to this many chunks (2 MB) are read by chunk _id, larger ones with a cursor (see readChunks). */
const CHUNKS_READ_BY_ID = 8;

interface BlobFileDocument {
  _id: BlobId;
  /** Of the stored bytes (the chunks), as GridFS has it; the content's own length is contentLength when compressed. */
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  /** Of the content. Not part of the GridFS spec (which deprecated md5); extra fields are allowed and other GridFS tools ignore them. */
  sha256: string;
  /** 'br': the chunks hold the content Brotli-compressed (blob-encoding.ts); absent: as is. */
  contentEncoding?: 'br';
  /** The content's length when compressed. */
  contentLength?: number;
  metadata: Document;
}

interface BlobChunkDocument {
  /** `<blob id>#<n>` (chunkId) for chunks we write; an ObjectId in files other GridFS writers made. */
  _id: string | ObjectId;
  files_id: BlobId;
  n: number;
  data: Binary;
  /** On chunk 0 of a blob written by putMany, which takes no claim: until the lease time has passed since, it may be an upload in flight. */
  writtenAt?: Date;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Raw messages and attachments in GridFS (bucket `blobs`), streamed both ways: a 50 MB message
 * never sits in memory whole. Content that compresses well (most mail) is stored Brotli-compressed,
 * marked `contentEncoding: 'br'` in its files document, and decompressed on reading. The layout is
 * standard GridFS (the driver's GridFSBucket and mongofiles can read it, compressed blobs as such);
 * the writer is our own so that the caller's deterministic id makes puts idempotent, the sha256 lands
 * in the files document atomically with the upload, and concurrent or crashed uploads of one id are
 * sorted out with a lease (BlobUploadClaims) for streams, and chunk 0's writtenAt for putMany's batches.
 * Register with `MongoModule.forFeature([BlobStore])` so its indexes are created at start.
 */
@Injectable()
export class BlobStore {
  static readonly indexes: IndexSpec[] = [
    {
      collection: `${BUCKET}.chunks`,
      key: { files_id: 1, n: 1 },
      options: { name: 'files_id_1_n_1', unique: true },
      purpose: 'openReadStream reads a blob chunk by chunk in n order; unique so two writers can never interleave chunks of one blob',
    },
    {
      collection: `${BUCKET}.files`,
      key: { filename: 1, uploadDate: 1 },
      options: { name: 'filename_1_uploadDate_1' },
      purpose: 'the GridFS standard index, so the driver GridFSBucket and mongofiles find by name and never build it at runtime; our own lookups use _id',
    },
  ];

  private readonly files: Collection<BlobFileDocument>;
  private readonly chunks: Collection<BlobChunkDocument>;
  private readonly claims: BlobUploadClaims;
  private readonly chunkSize: number;
  private readonly leaseMs: number;
  private readonly waitTimeoutMs: number;

  constructor(@Inject(MONGO_DB) db: Db, @Optional() @Inject(BLOB_STORE_OPTIONS) options: BlobStoreOptions | null = null) {
    this.chunkSize = options?.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE;
    this.leaseMs = options?.leaseMs ?? 30_000;
    this.waitTimeoutMs = options?.waitTimeoutMs ?? 60_000;
    this.files = db.collection<BlobFileDocument>(`${BUCKET}.files`);
    this.chunks = db.collection<BlobChunkDocument>(`${BUCKET}.chunks`);
    this.claims = new BlobUploadClaims(db.collection<BlobClaimDocument>(`${BUCKET}.uploads`), this.leaseMs);
  }

  /**
   * Stores the source under `id`, computing length and sha256 on the way. Idempotent: when a
   * complete blob with this id exists, the source is drained without being stored and created is
   * false. Chunks of an earlier crashed upload are removed first. Of concurrent puts of one id,
   * one writes and the others wait for it and return created: false.
   * @example const { sha256, created } = await blobs.put({ id: blobId(`raw:${messageId}`), source: imapStream });
   */
  async put(input: BlobPutInput): Promise<BlobPutResult> {
    try {
      return await this.store(input);
    } catch (error) {
      // A failed put must not leave the caller's stream (and the socket under it) paused forever.
      // destroy() without an error: the caller may have no 'error' listener, and it gets ours anyway.
      const { source } = input;
      if (source instanceof Readable && !source.destroyed) source.destroy();
      throw error;
    }
  }

  private async store({ id, source, metadata = {} }: BlobPutInput): Promise<BlobPutResult> {
    // No look for an existing file first: in the common case (a new message) there is none, and chunk 0
    // colliding on the unique (files_id, n) index tells us cheaply when there is (see writeChunks).
    const claim = await this.claimOrFind(id);
    if ('file' in claim) return this.alreadyStored({ file: claim.file, source });
    // One iterator for writing and, when chunk 0 collides with a complete file, for draining the rest:
    // leaving the writer's for-await must not end (destroy) a Readable source.
    const pieces = source[Symbol.asyncIterator]();
    const resumable: ByteSource = { [Symbol.asyncIterator]: () => ({ next: () => pieces.next() }) };
    const written = await this.writeBlob({ id, source: resumable, metadata, token: claim.token });
    // Drained outside writeBlob: a source failing now must not make us clean up the complete blob's chunks.
    return 'file' in written ? this.alreadyStored({ file: written.file, source: resumable }) : written;
  }

  private async writeBlob({ id, source, metadata, token }: { id: BlobId; source: ByteSource; metadata: Document; token: string }): Promise<BlobPutResult | { file: BlobFileDocument }> {
    try {
      const encoded = await encodeStream(source);
      const written = await this.writeChunks({ id, source: encoded.pieces, token });
      if ('file' in written) return written;
      const content = encoded.digest();
      const file = this.fileDocument({ id, storedLength: written.length, encoding: encoded.encoding, content, metadata });
      try {
        await this.files.insertOne(file);
      } catch (error) {
        // An empty blob (no chunk to collide on) stored before, or our lease ran out and another writer finished first: its file stands.
        if (!isDuplicateKeyError(error)) throw error;
        const winner = await this.files.findOne({ _id: id });
        if (!winner) throw error;
        return toPutResult({ file: winner, created: false });
      }
      return { id, length: content.length, sha256: content.sha256, created: true };
    } catch (error) {
      // Leave no half upload behind, unless another writer has taken the claim (then the chunks are its)
      // or the chunks belong to a complete file (we may have failed after chunk 0 collided with it).
      if (!(error instanceof BlobBusyError) && (await this.claims.renew({ id, token }).catch(() => false))) {
        const complete = await this.files.findOne({ _id: id }).catch(() => 'unknown' as const);
        if (!complete) await this.deleteChunks(id).catch(() => undefined);
      }
      throw error;
    } finally {
      await this.claims.release({ id, token }).catch(() => undefined);
    }
  }

  /**
   * One blob already in memory (a composed mail, a request or answer too large for NATS): putMany's two
   * round trips, with the slot's failure thrown.
   * @example const { id, sha256 } = await blobs.putBytes({ id: blobId(`sent-${outboxId}`), bytes: raw });
   */
  async putBytes(input: { id: BlobId; bytes: Buffer; metadata?: Document }): Promise<BlobPutResult> {
    const [stored] = await this.putMany([input]);
    if (!stored || stored instanceof Error) throw stored ?? new Error(`blob ${input.id} could not be stored`);
    return stored;
  }

  /**
   * put() for many small blobs already in memory (a pipelined IMAP FETCH, an outbox request), in two
   * round trips for the whole batch: the chunks, then the files documents. No claim is taken: chunk 0
   * of each blob carries `writtenAt` instead, so that a claimed put() meeting it knows it may be an
   * upload in flight and waits (see settleChunkZero). An id stored already answers created: false; an
   * id whose chunk 0 is taken without a file (another upload, or a crash's leftovers) goes through
   * put(), which waits for the upload or replaces the leftovers under its claim.
   * @returns one result per input, in order; an Error in a slot is that blob's failure alone.
   */
  async putMany(inputs: Array<{ id: BlobId; bytes: Buffer; metadata?: Document }>): Promise<Array<BlobPutResult | Error>> {
    const encoded = inputs.map(({ bytes }) => encodeBytes(bytes));
    const { found, taken } = await this.insertUnclaimedChunks(inputs.map(({ id }, n) => ({ id, bytes: encoded[n]!.stored })));
    const mine = inputs.flatMap((input, index) => (found.has(input.id) || taken.has(input.id) ? [] : [{ ...input, index }]));
    const files = new Map(mine.map(({ id, bytes, metadata = {}, index }) => [id, this.fileDocument({ id, storedLength: encoded[index]!.stored.length, encoding: encoded[index]!.encoding, content: { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }, metadata })]));
    const winners = await this.insertFiles([...files.values()]);
    const results: Array<BlobPutResult | Error> = [];
    for (const { id, bytes, metadata } of inputs) {
      const existing = found.get(id) ?? winners.get(id);
      const written = files.get(id);
      if (existing) results.push(toPutResult({ file: existing, created: false }));
      else if (written) results.push(toPutResult({ file: written, created: true }));
      // Rare: someone else is uploading this id right now (or crashed doing it); put() waits or takes over.
      else results.push(await this.put({ id, source: Readable.from([bytes]), metadata }).catch((error: Error) => error));
    }
    return results;
  }

  /**
   * Ordered, so that whatever an interruption leaves of a blob starts at chunk 0 (see deleteChunks). A
   * collision is never cleaned up here, having no claim: the id is complete (`found`) or `taken`, and
   * the rest goes on. Only chunk 0 can collide: a blob's chunks go in after its chunk 0, in one write.
   */
  private async insertUnclaimedChunks(blobs: Array<{ id: BlobId; bytes: Buffer }>): Promise<{ found: Map<BlobId, BlobFileDocument>; taken: Set<BlobId> }> {
    const found = new Map<BlobId, BlobFileDocument>();
    const taken = new Set<BlobId>();
    const writtenAt = new Date();
    let pending = blobs.flatMap(({ id, bytes }) => this.chunkDocuments(id, bytes).map((chunk) => (chunk.n === 0 ? { ...chunk, writtenAt } : chunk)));
    while (pending.length > 0) {
      try {
        await this.chunks.insertMany(pending, { ordered: true });
        break;
      } catch (error) {
        const failed = firstWriteError(error);
        if (!isDuplicateKeyError(error) || failed === undefined) throw error;
        const id = pending[failed]!.files_id;
        const file = await this.files.findOne({ _id: id });
        if (file) found.set(id, file);
        else taken.add(id);
        pending = pending.slice(failed).filter((chunk) => chunk.files_id !== id);
      }
    }
    return { found, taken };
  }

  /** @returns the files that were there already (an empty blob stored before), by id */
  private async insertFiles(files: BlobFileDocument[]): Promise<Map<BlobId, BlobFileDocument>> {
    const winners = new Map<BlobId, BlobFileDocument>();
    if (files.length === 0) return winners;
    try {
      await this.files.insertMany(files, { ordered: false });
    } catch (error) {
      if (!isOnlyDuplicateKeyErrors(error)) throw error;
      const stored = await this.files.find({ _id: { $in: files.map(({ _id }) => _id) } }).toArray();
      for (const file of stored) if (file.uploadDate.getTime() !== files.find(({ _id }) => _id === file._id)!.uploadDate.getTime()) winners.set(file._id, file);
    }
    return winners;
  }

  private fileDocument({ id, storedLength, encoding, content, metadata }: { id: BlobId; storedLength: number; encoding: BlobEncoding; content: ContentDigest; metadata: Document }): BlobFileDocument {
    return {
      _id: id,
      length: storedLength,
      chunkSize: this.chunkSize,
      uploadDate: new Date(),
      filename: id,
      sha256: content.sha256,
      ...(encoding === 'br' ? { contentEncoding: encoding, contentLength: content.length } : {}),
      metadata,
    };
  }

  private chunkDocuments(id: BlobId, bytes: Buffer): BlobChunkDocument[] {
    const chunks: BlobChunkDocument[] = [];
    for (let offset = 0, n = 0; offset < bytes.length; offset += this.chunkSize, n++) {
      chunks.push({ _id: chunkId(id, n), files_id: id, n, data: new Binary(bytes.subarray(offset, offset + this.chunkSize)) });
    }
    return chunks;
  }

  /**
   * The blob's bytes as a stream, read about 1 MiB at a time. A missing blob surfaces as a
   * BlobNotFoundError on the stream (so `await pipeline(...)` rejects with it); chunks that do not add
   * up to the recorded length or sha256 surface as BlobIntegrityError.
   * @example await pipeline(blobs.openReadStream(id), response);
   */
  openReadStream(id: BlobId): Readable {
    return Readable.from(this.readContent(id), { objectMode: false });
  }

  /** The whole content in memory, for blobs known to be small (a composed mail, a request); BlobNotFoundError when missing. */
  async readBytes(id: BlobId): Promise<Buffer> {
    return Buffer.concat(await this.openReadStream(id).toArray());
  }

  async stat(id: BlobId): Promise<BlobStat | null> {
    const file = await this.files.findOne({ _id: id });
    return file ? { id: file._id, length: contentLengthOf(file), sha256: file.sha256, uploadDate: file.uploadDate, metadata: file.metadata ?? {} } : null;
  }

  /**
   * Deletes the blob; files document first, so a reader never finds a file whose chunks are gone.
   * @returns whether a blob existed
   */
  async delete(id: BlobId): Promise<boolean> {
    const deleted = (await this.files.deleteOne({ _id: id })).deletedCount > 0;
    await this.deleteChunks(id);
    return deleted;
  }

  /**
   * Deletes the blobs whose id starts with `idPrefix` and that were written before `before`, at most
   * `limit` a call: for blobs that live only as long as one request (an outbox request too large for
   * NATS) and stay behind when their writer crashes. Chunks a crash left without a files document
   * (putMany writes them first) are found by chunk 0's writtenAt. Both queries are prefix ranges on
   * an index in MongoDB (_id, files_id_1_n_1).
   * @returns how many blobs (or leftovers) went
   */
  async deleteStale({ idPrefix, before, limit = 100 }: { idPrefix: string; before: Date; limit?: number }): Promise<number> {
    const prefix = { $regex: `^${idPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` };
    const files = await this.files.find({ _id: prefix as never, uploadDate: { $lt: before } }, { projection: { _id: 1 } }).limit(limit).toArray();
    for (const { _id } of files) await this.delete(_id);
    const leftovers = await this.chunks.find({ files_id: prefix as never, n: 0, writtenAt: { $lt: before } }, { projection: { files_id: 1 } }).limit(limit).toArray();
    let orphans = 0;
    for (const { files_id: id } of leftovers) {
      if (await this.files.findOne({ _id: id }, { projection: { _id: 1 } })) continue;
      await this.deleteChunks(id);
      orphans += 1;
    }
    return files.length + orphans;
  }

  /**
   * Chunk 0 goes last, so that leftovers of an interrupted delete (like those of a crashed upload,
   * written in n order) always include chunk 0: a put then collides on it and cleans up, and a put
   * whose chunk 0 went in finds no leftovers at all, without a query by files_id (which FerretDB 1.x
   * answers by scanning every chunk of every blob).
   */
  private async deleteChunks(id: BlobId): Promise<void> {
    await this.chunks.deleteMany({ files_id: id, n: { $gt: 0 } });
    await this.chunks.deleteOne({ files_id: id, n: 0 });
  }

  /**
   * Chunk 0 of `id` is taken while we hold its claim. A complete file is returned. Chunk 0 of a putMany
   * younger than the lease may be an upload in flight: waited for, our claim renewed meanwhile. Anything
   * else is leftovers of a crashed upload or delete, removed; then the caller writes again. The age is
   * the other writer's clock against ours: replicas' clocks must agree to well within the lease.
   */
  private async settleChunkZero({ id, token }: { id: BlobId; token: string }): Promise<BlobFileDocument | undefined> {
    for (let pause = 25; ; pause = Math.min(pause * 2, 500)) {
      const file = await this.files.findOne({ _id: id });
      if (file) return file;
      // By files_id and n, not by _id: chunks of other GridFS writers have ObjectId ids.
      const first = await this.chunks.findOne({ files_id: id, n: 0 }, { projection: { writtenAt: 1 } });
      if (!first) return undefined;
      if (!first.writtenAt || Date.now() - first.writtenAt.getTime() >= this.leaseMs) {
        await this.deleteChunks(id);
        return undefined;
      }
      if (!(await this.claims.renew({ id, token }))) throw new BlobBusyError(id, 'the upload lease expired and another writer took it over');
      await wait(pause);
    }
  }

  private async claimOrFind(id: BlobId): Promise<{ token: string } | { file: BlobFileDocument }> {
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let pause = 25; ; pause = Math.min(pause * 2, 500)) {
      // A file that exists already (or is completed between now and our claim) shows up in writeChunks.
      const token = await this.claims.tryAcquire(id);
      if (token) return { token };
      const file = await this.files.findOne({ _id: id });
      if (file) return { file };
      if (Date.now() >= deadline) throw new BlobBusyError(id, `another upload still holds it after ${this.waitTimeoutMs} ms`);
      await wait(pause);
    }
  }

  /**
   * Writes the chunks in n order. When chunk 0 collides on the unique (files_id, n) index, the id has
   * either a complete file (returned; nothing of ours was written) or leftovers of a crashed upload or
   * delete, which are removed before writing again. Leftovers always include chunk 0 (see deleteChunks),
   * so once chunk 0 is in there can be no other collision.
   */
  private async writeChunks({ id, source, token }: { id: BlobId; source: ByteSource; token: string }): Promise<{ length: number } | { file: BlobFileDocument }> {
    let length = 0;
    let n = 0;
    let batch: BlobChunkDocument[] = [];
    let renewedAt = Date.now();
    // Sequential on purpose: overlapping the next read with the insert measured no faster (the server is the bottleneck).
    const flush = async (): Promise<BlobFileDocument | undefined> => {
      if (batch.length === 0) return undefined;
      if (Date.now() - renewedAt > this.leaseMs / 3) {
        if (!(await this.claims.renew({ id, token }))) throw new BlobBusyError(id, 'the upload lease expired and another writer took it over');
        renewedAt = Date.now();
      }
      for (;;) {
        try {
          await this.chunks.insertMany(batch, { ordered: true });
          break;
        } catch (error) {
          // Ordered: chunk 0 failed first, so nothing of this batch went in.
          if (!isDuplicateKeyError(error) || batch[0]?.n !== 0) throw error;
          const file = await this.settleChunkZero({ id, token });
          if (file) return file;
        }
      }
      batch = [];
      return undefined;
    };
    for await (const chunk of fixedSizeChunks({ source, size: this.chunkSize })) {
      length += chunk.length;
      batch.push({ _id: chunkId(id, n), files_id: id, n: n++, data: new Binary(chunk) });
      if (batch.length >= CHUNKS_PER_BATCH) {
        const file = await flush();
        if (file) return { file };
      }
    }
    const file = await flush();
    if (file) return { file };
    return { length };
  }

  /** The content: the stored chunks, decompressed when they are, checked against the recorded length and sha256. */
  private async *readContent(id: BlobId): AsyncGenerator<Buffer> {
    const file = await this.files.findOne({ _id: id });
    if (!file) throw new BlobNotFoundError(id);
    const hash = createHash('sha256');
    let read = 0;
    try {
      for await (const piece of decodeStream({ encoding: file.contentEncoding ?? 'identity', pieces: this.readChunks(file) })) {
        hash.update(piece);
        read += piece.length;
        yield piece;
      }
    } catch (error) {
      // zlib's own errors (Z_BUF_ERROR on a cut stream, ERR__ERROR_FORMAT_* on damage) mean the same as a bad chunk.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^(Z_|ERR__)/.test(code)) throw new BlobIntegrityError(id, `the compressed content does not decode: ${(error as Error).message}`);
      throw error;
    }
    const expected = contentLengthOf(file);
    if (read !== expected) throw new BlobIntegrityError(id, `read ${read} of ${expected} bytes`);
    // Files written by other GridFS tools have no sha256; there is nothing to verify against then.
    if (file.sha256 && hash.digest('hex') !== file.sha256) throw new BlobIntegrityError(id, 'sha256 does not match');
  }

  /**
   * A small blob (most messages: one chunk) is read chunk by chunk by _id (`<id>#<n>`), a large one
   * with one cursor on files_id. MongoDB answers both from an index. FerretDB 1.24 uses none of its
   * indexes (see libs/testing ferretdb.ts) but filters _id equality inside SQLite, about 70 times
   * cheaper than any other filter, which it applies to every document in Go (measured 24 ms against
   * 1.6 s at 40 MB of chunks); each _id lookup is still a scan, so past a few chunks one cursor wins.
   * A file written by another GridFS tool has ObjectId chunk ids; it is read with the cursor.
   */
  private async *readChunks(file: BlobFileDocument): AsyncGenerator<Buffer> {
    const id = file._id;
    const expectedChunks = Math.ceil(file.length / file.chunkSize);
    let read = 0;
    const check = (chunk: BlobChunkDocument, n: number): Buffer => {
      if (chunk.n !== n) throw new BlobIntegrityError(id, chunk.n > n ? `chunk ${n} is missing` : `chunk ${chunk.n} is duplicated`);
      const bytes = chunk.data.buffer.subarray(0, chunk.data.length());
      const expectedSize = Math.min(file.chunkSize, file.length - read);
      if (n >= expectedChunks || bytes.byteLength !== expectedSize) throw new BlobIntegrityError(id, `chunk ${n} has ${bytes.byteLength} bytes, expected ${Math.max(0, expectedSize)}`);
      read += bytes.byteLength;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
    const byId = expectedChunks <= CHUNKS_READ_BY_ID;
    const first = byId && expectedChunks > 0 ? await this.chunks.findOne({ _id: chunkId(id, 0) }) : null;
    if (byId && (first || expectedChunks === 0)) {
      for (let n = 0; n < expectedChunks; n++) {
        const chunk = n === 0 ? first : await this.chunks.findOne({ _id: chunkId(id, n) });
        if (!chunk) throw new BlobIntegrityError(id, `chunk ${n} is missing`);
        yield check(chunk, n);
      }
    } else {
      const cursor = this.chunks.find({ files_id: id }, { sort: { n: 1 }, batchSize: CHUNKS_PER_BATCH });
      try {
        let n = 0;
        for await (const chunk of cursor) yield check(chunk, n++);
      } finally {
        await cursor.close();
      }
    }
    if (read !== file.length) throw new BlobIntegrityError(id, `read ${read} of ${file.length} stored bytes`);
  }

  private async alreadyStored({ file, source }: { file: BlobFileDocument; source: ByteSource }): Promise<BlobPutResult> {
    // Drained rather than destroyed: the source may be a protocol stream (an IMAP FETCH literal)
    // whose connection must stay usable for the next command.
    for await (const _ of source) {
      // discard
    }
    return toPutResult({ file, created: false });
  }
}

/** Deterministic chunk ids: a chunk is read by _id, and a crashed upload's leftovers collide on it like on (files_id, n). */
const chunkId = (id: BlobId, n: number): string => `${id}#${n}`;

/** Index of the first failed document of an ordered bulk write. */
function firstWriteError(error: unknown): number | undefined {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  const index = (first as { index?: unknown } | undefined)?.index;
  return typeof index === 'number' ? index : undefined;
}

function toPutResult({ file, created }: { file: BlobFileDocument; created: boolean }): BlobPutResult {
  return { id: file._id, length: contentLengthOf(file), sha256: file.sha256, created };
}

const contentLengthOf = (file: BlobFileDocument): number => file.contentLength ?? file.length;
