import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Binary, MongoClient, ObjectId } from 'mongodb';
import { BlobIntegrityError, BlobNotFoundError, BlobStore, IndexProvisioner, blobId } from '../src';
import { expectEventually } from '@mailbus/testing';
import { digestStream, pseudoRandomStream } from './fixtures/pseudo-random-stream.util';
import { startTestMongo, type TestMongo } from './fixtures/test-mongo.util';

const MB = 1024 * 1024;
const CHUNK = 255 * 1024;
const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
/** Incompressible, so that blobs take as many chunks as their length says. */
const bytesOf = (seed: string, length: number): Buffer => createCipheriv('aes-128-ctr', createHash('sha256').update(seed).digest().subarray(0, 16), Buffer.alloc(16)).update(Buffer.alloc(length));

/** `content` in pieces of `size` bytes, as a connection would deliver it. */
async function* pieces(content: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < content.length; offset += size) yield content.subarray(offset, offset + size);
}

describe(BlobStore.name, () => {
  let mongo: TestMongo;
  let sut: BlobStore;

  const chunkCount = (id: string): Promise<number> => mongo.db.collection('blobs.chunks').countDocuments({ files_id: id });
  const fileCount = (id: string): Promise<number> => mongo.db.collection('blobs.files').countDocuments({ _id: id as never });

  beforeAll(async () => {
    mongo = await startTestMongo({ dbName: 'mongo_dal_blob_store' });
    await new IndexProvisioner(mongo.db).provision(BlobStore.indexes);
    sut = new BlobStore(mongo.db);
  });

  afterAll(async () => {
    await mongo?.stop();
  });

  it('should give back the same bytes when a 50 MB message is put and read back', async () => {
    const id = blobId('raw-50mb');
    const length = 50 * MB;
    const input = await digestStream(pseudoRandomStream({ seed: 'fifty', length }));

    const put = await sut.put({ id, source: pseudoRandomStream({ seed: 'fifty', length }), metadata: { contentType: 'message/rfc822' } });
    const output = await digestStream(sut.openReadStream(id));

    expect(put).toEqual({ id, length, sha256: input.sha256, created: true });
    expect(output).toEqual(input);
    expect(await sut.stat(id)).toMatchObject({ id, length, sha256: input.sha256, metadata: { contentType: 'message/rfc822' } });
    expect(await chunkCount(id)).toBe(Math.ceil(length / CHUNK));
    // FerretDB 1.x scans the whole chunks collection for every query; 50 MB left behind would slow every later test.
    expect(await sut.delete(id)).toBe(true);
  }, 180_000);

  it('should not write again when a complete blob with the id exists', async () => {
    const id = blobId('idempotent');
    const first = await sut.put({ id, source: pseudoRandomStream({ seed: 'one', length: MB }) });
    const source = pseudoRandomStream({ seed: 'two', length: MB });

    const second = await sut.put({ id, source });

    expect(second).toEqual({ ...first, created: false });
    expect(source.readableEnded).toBe(true);
    expect(await fileCount(id)).toBe(1);
    expect((await digestStream(sut.openReadStream(id))).sha256).toBe(first.sha256);
  });

  it('should replace orphan chunks when an earlier put crashed half way', async () => {
    const id = blobId('crashed');
    await mongo.db.collection('blobs.chunks').insertMany(Array.from({ length: 5 }, (_, n) => ({ _id: new ObjectId(), files_id: id, n, data: new Binary(randomBytes(CHUNK)) })));
    const input = await digestStream(pseudoRandomStream({ seed: 'after-crash', length: 600_000 }));

    const put = await sut.put({ id, source: pseudoRandomStream({ seed: 'after-crash', length: 600_000 }) });

    expect(put).toEqual({ id, length: 600_000, sha256: input.sha256, created: true });
    expect(await digestStream(sut.openReadStream(id))).toEqual(input);
    expect(await chunkCount(id)).toBe(3);
  });

  it('should remove leftovers beyond the new end too when a delete was interrupted before chunk 0', async () => {
    const id = blobId('interrupted-delete');
    // deleteChunks removes chunk 0 last, so an interrupted delete leaves chunk 0 and any others.
    await mongo.db.collection('blobs.chunks').insertMany([0, 4].map((n) => ({ _id: new ObjectId(), files_id: id, n, data: new Binary(randomBytes(CHUNK)) })));

    const put = await sut.put({ id, source: pseudoRandomStream({ seed: 'short', length: 1000 }) });

    expect(put.created).toBe(true);
    expect(await chunkCount(id)).toBe(1);
    expect((await digestStream(sut.openReadStream(id))).sha256).toBe(put.sha256);
  });

  it('should take over the upload when the writer before crashed holding its claim', async () => {
    const id = blobId('stale-claim');
    await mongo.db.collection('blobs.uploads').insertOne({ _id: id as never, token: 'crashed-writer', expiresAt: new Date(Date.now() - 1000) });
    await mongo.db.collection('blobs.chunks').insertOne({ _id: new ObjectId(), files_id: id, n: 0, data: new Binary(randomBytes(CHUNK)) });

    const put = await sut.put({ id, source: pseudoRandomStream({ seed: 'stale', length: 1000 }) });

    expect(put.created).toBe(true);
    expect(await chunkCount(id)).toBe(1);
    expect(await mongo.db.collection('blobs.uploads').countDocuments({ _id: id as never })).toBe(0);
    expect((await digestStream(sut.openReadStream(id))).sha256).toBe(put.sha256);
  });

  it('should leave one intact file when two puts of one id run concurrently', async () => {
    const id = blobId('concurrent');
    const length = 3 * MB;

    const results = await Promise.all(['left', 'right'].map((seed) => sut.put({ id, source: pseudoRandomStream({ seed, length }) })));

    const winner = results.find((result) => result.created);
    expect(results.map((result) => result.created).sort()).toEqual([false, true]);
    expect(results.map((result) => result.sha256)).toEqual([winner?.sha256, winner?.sha256]);
    expect(await fileCount(id)).toBe(1);
    expect(await chunkCount(id)).toBe(Math.ceil(length / CHUNK));
    expect(await digestStream(sut.openReadStream(id))).toEqual({ sha256: winner?.sha256, length });
  });

  it('should leave no chunks and no claim behind when the source fails half way', async () => {
    const id = blobId('source-fails');
    async function* failingSource(): AsyncGenerator<Buffer> {
      yield* pseudoRandomStream({ seed: 'partial', length: 2 * MB });
      throw new Error('IMAP connection lost');
    }

    await expect(sut.put({ id, source: failingSource() })).rejects.toThrow('IMAP connection lost');

    expect(await chunkCount(id)).toBe(0);
    expect(await mongo.db.collection('blobs.uploads').countDocuments({ _id: id as never })).toBe(0);
    expect(await sut.stat(id)).toBeNull();
    expect((await sut.put({ id, source: pseudoRandomStream({ seed: 'retry', length: MB }) })).created).toBe(true);
  });

  describe('putMany', () => {
    it('should store every blob and read each back when a batch of new ids is put', async () => {
      const inputs = [1, 40_000, 600_000, 0].map((length, n) => ({ id: blobId(`many-new-${n}`), bytes: bytesOf(`new${n}`, length), metadata: { n } }));

      const results = await sut.putMany(inputs);

      expect(results).toEqual(inputs.map(({ id, bytes }) => ({ id, length: bytes.length, sha256: sha256Of(bytes), created: true })));
      for (const { id, bytes } of inputs) expect(await digestStream(sut.openReadStream(id))).toEqual({ sha256: sha256Of(bytes), length: bytes.length });
      expect(await chunkCount(inputs[2]!.id)).toBe(3);
      expect(await sut.stat(inputs[1]!.id)).toMatchObject({ metadata: { n: 1 } });
      expect(await mongo.db.collection('blobs.uploads').countDocuments({ _id: { $in: inputs.map(({ id }) => id) } as never })).toBe(0);
    });

    it('should keep stored blobs, replace leftovers and wait for a live upload when a batch meets all three', async () => {
      const stored = { id: blobId('many-stored'), bytes: bytesOf('stored', 5000) };
      await sut.put({ id: stored.id, source: Readable.from([stored.bytes]) });
      const leftover = { id: blobId('many-leftover'), bytes: bytesOf('leftover', 300_000) };
      await mongo.db.collection('blobs.chunks').insertMany([0, 1, 2].map((n) => ({ _id: new ObjectId(), files_id: leftover.id, n, data: new Binary(randomBytes(CHUNK)) })));
      const busy = { id: blobId('many-busy'), bytes: bytesOf('busy', 1000) };
      await mongo.db.collection('blobs.uploads').insertOne({ _id: busy.id as never, token: 'crashed-writer', expiresAt: new Date(Date.now() + 300) });
      const fresh = { id: blobId('many-fresh'), bytes: bytesOf('fresh', 2000) };

      const results = await sut.putMany([{ id: stored.id, bytes: bytesOf('other', 5000) }, leftover, busy, fresh]);

      expect(results).toEqual([
        { id: stored.id, length: 5000, sha256: sha256Of(stored.bytes), created: false },
        { id: leftover.id, length: leftover.bytes.length, sha256: sha256Of(leftover.bytes), created: true },
        { id: busy.id, length: busy.bytes.length, sha256: sha256Of(busy.bytes), created: true },
        { id: fresh.id, length: fresh.bytes.length, sha256: sha256Of(fresh.bytes), created: true },
      ]);
      expect(await chunkCount(leftover.id)).toBe(2);
      for (const { id, bytes } of [stored, leftover, busy, fresh]) expect((await digestStream(sut.openReadStream(id))).sha256).toBe(sha256Of(bytes));
    });
  });

  describe('putMany without claims', () => {
    const LEASE_MS = 5_000;
    let store: BlobStore;
    beforeAll(() => {
      store = new BlobStore(mongo.db, { leaseMs: LEASE_MS });
    });

    /** What another putMany leaves between its two writes: chunk 0 with its writtenAt, no file yet. */
    const unclaimedChunkZero = (id: string, bytes: Buffer, writtenAt: Date) => mongo.db.collection('blobs.chunks').insertOne({ _id: `${id}#0` as never, files_id: id, n: 0, data: new Binary(bytes), writtenAt });

    it('should write a whole batch in two round trips, chunks then files, and no claim', async () => {
      const watched = new MongoClient(mongo.url, { monitorCommands: true });
      const commands: string[] = [];
      watched.on('commandStarted', (event) => {
        if (['insert', 'find', 'update', 'delete'].includes(event.commandName)) commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
      });
      const inputs = [1, 2, 3].map((n) => ({ id: blobId(`two-trips-${n}`), bytes: bytesOf(`trip${n}`, 3000) }));

      const results = await new BlobStore(watched.db(mongo.db.databaseName)).putMany(inputs);
      await watched.close();

      expect(results.map((result) => !(result instanceof Error) && result.created)).toEqual([true, true, true]);
      expect(commands).toEqual(['insert blobs.chunks', 'insert blobs.files']);
    });

    it('should wait for a batch another writer is still storing and answer with its file, not overwrite it', async () => {
      const id = blobId('unclaimed-in-flight');
      const theirs = bytesOf('theirs', 2000);
      await unclaimedChunkZero(id, theirs, new Date());

      const put = store.putMany([{ id, bytes: bytesOf('ours', 2000) }]);
      // Our put() has claimed the id and met their chunk 0; now the other writer finishes.
      await expectEventually(async () => expect(await mongo.db.collection('blobs.uploads').countDocuments({ _id: id as never })).toBe(1));
      await mongo.db.collection('blobs.files').insertOne({ _id: id as never, length: theirs.length, chunkSize: CHUNK, uploadDate: new Date(), filename: id, sha256: sha256Of(theirs), metadata: {} });

      expect(await put).toEqual([{ id, length: theirs.length, sha256: sha256Of(theirs), created: false }]);
      expect((await digestStream(store.openReadStream(id))).sha256).toBe(sha256Of(theirs));
    });

    it('should replace what a batch left without a file once it is older than the lease', async () => {
      const id = blobId('unclaimed-leftover');
      await unclaimedChunkZero(id, bytesOf('crashed', 2000), new Date(Date.now() - LEASE_MS - 1000));
      const ours = bytesOf('ours-after-crash', 2000);

      const [result] = await store.putMany([{ id, bytes: ours }]);

      expect(result).toEqual({ id, length: ours.length, sha256: sha256Of(ours), created: true });
      expect((await digestStream(store.openReadStream(id))).sha256).toBe(sha256Of(ours));
      expect(await chunkCount(id)).toBe(1);
    });
  });

  describe('compression', () => {
    /** Mail-like text: compresses to well under half. */
    const mailText = (lines: number): Buffer => Buffer.from(Array.from({ length: lines }, (_, n) => `Line ${n}: please find the quarterly report attached, regards\r\n`).join(''));
    const fileOf = (id: string) => mongo.db.collection('blobs.files').findOne({ _id: id as never });

    it('should store a streamed message that compresses well compressed and give back its exact bytes', async () => {
      const id = blobId('compressed-stream');
      const content = mailText(40_000);

      const put = await sut.put({ id, source: pieces(content, 70_000) });
      const output = await digestStream(sut.openReadStream(id));

      expect(put).toEqual({ id, length: content.length, sha256: sha256Of(content), created: true });
      expect(output).toEqual({ sha256: sha256Of(content), length: content.length });
      const file = await fileOf(id);
      expect(file).toMatchObject({ contentEncoding: 'br', contentLength: content.length });
      expect(file!.length).toBeLessThan(content.length / 4);
      expect(await chunkCount(id)).toBe(Math.ceil(file!.length / CHUNK));
      expect(await sut.stat(id)).toMatchObject({ length: content.length, sha256: sha256Of(content) });
    });

    it('should store a batch compressed where it pays and as is where it does not', async () => {
      const text = { id: blobId('compressed-many-text'), bytes: mailText(2_000) };
      const random = { id: blobId('compressed-many-random'), bytes: randomBytes(50_000) };
      const tiny = { id: blobId('compressed-many-tiny'), bytes: Buffer.from('short note') };

      const results = await sut.putMany([text, random, tiny]);

      expect(results).toEqual([text, random, tiny].map(({ id, bytes }) => ({ id, length: bytes.length, sha256: sha256Of(bytes), created: true })));
      expect(await fileOf(text.id)).toMatchObject({ contentEncoding: 'br', contentLength: text.bytes.length });
      expect(await fileOf(random.id)).toMatchObject({ length: random.bytes.length });
      expect(await fileOf(random.id)).not.toHaveProperty('contentEncoding');
      expect(await fileOf(tiny.id)).not.toHaveProperty('contentEncoding');
      for (const { id, bytes } of [text, random, tiny]) expect(await digestStream(sut.openReadStream(id))).toEqual({ sha256: sha256Of(bytes), length: bytes.length });
    });

    it('should answer a second put of a compressed blob with the content length and drain the source', async () => {
      const id = blobId('compressed-twice');
      const content = mailText(30_000);
      const first = await sut.put({ id, source: pieces(content, 64_000) });
      const source = Readable.from(pieces(content, 64_000));

      const second = await sut.put({ id, source });

      expect(second).toEqual({ ...first, created: false });
      expect(second.length).toBe(content.length);
      expect(source.readableEnded).toBe(true);
      expect(await fileCount(id)).toBe(1);
    });

    it('should leave nothing behind when a compressible source fails half way', async () => {
      const id = blobId('compressed-source-fails');
      async function* failingSource(): AsyncGenerator<Buffer> {
        yield* pieces(mailText(30_000), 50_000);
        throw new Error('POP3 connection lost');
      }

      await expect(sut.put({ id, source: failingSource() })).rejects.toThrow('POP3 connection lost');

      expect(await chunkCount(id)).toBe(0);
      expect(await sut.stat(id)).toBeNull();
    });

    it('should fail the read stream with BlobIntegrityError when compressed chunks are damaged', async () => {
      const id = blobId('compressed-damaged');
      await sut.putMany([{ id, bytes: mailText(3_000) }]);
      const chunk = await mongo.db.collection('blobs.chunks').findOne({ files_id: id });
      const damaged = Buffer.from(chunk!.data.buffer);
      damaged.fill(0x55, 10, 40);
      await mongo.db.collection('blobs.chunks').updateOne({ _id: chunk!._id }, { $set: { data: new Binary(damaged) } });

      await expect(digestStream(sut.openReadStream(id))).rejects.toThrow(BlobIntegrityError);
    });

    it('should read a blob stored as is by an earlier version (no contentEncoding)', async () => {
      const id = blobId('stored-before-compression');
      const content = mailText(1_000);
      await mongo.db.collection('blobs.chunks').insertOne({ _id: `${id}#0` as never, files_id: id, n: 0, data: new Binary(content) });
      await mongo.db.collection('blobs.files').insertOne({ _id: id as never, length: content.length, chunkSize: CHUNK, uploadDate: new Date(), filename: id, sha256: sha256Of(content), metadata: {} });

      expect(await digestStream(sut.openReadStream(id))).toEqual({ sha256: sha256Of(content), length: content.length });
      expect(await sut.stat(id)).toMatchObject({ length: content.length });
    });
  });

  it('should store an empty blob when the source yields nothing', async () => {
    const id = blobId('empty');

    const put = await sut.put({ id, source: pseudoRandomStream({ seed: 'none', length: 0 }) });

    expect(put).toMatchObject({ length: 0, created: true });
    expect(await digestStream(sut.openReadStream(id))).toEqual({ sha256: put.sha256, length: 0 });
  });

  it('should fail the read stream with BlobNotFoundError when the blob does not exist', async () => {
    await expect(digestStream(sut.openReadStream(blobId('missing')))).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('should fail the read stream with BlobIntegrityError when a chunk is missing', async () => {
    const id = blobId('damaged');
    await sut.put({ id, source: pseudoRandomStream({ seed: 'damaged', length: 3 * CHUNK }) });
    await mongo.db.collection('blobs.chunks').deleteOne({ files_id: id, n: 1 });

    await expect(digestStream(sut.openReadStream(id))).rejects.toThrow(BlobIntegrityError);
  });

  it('should remove the file and its chunks when a blob is deleted', async () => {
    const id = blobId('to-delete');
    await sut.put({ id, source: pseudoRandomStream({ seed: 'gone', length: MB }) });

    expect(await sut.delete(id)).toBe(true);

    expect(await sut.stat(id)).toBeNull();
    expect(await chunkCount(id)).toBe(0);
    expect(await sut.delete(id)).toBe(false);
  });

  it('should delete only the stale blobs and crash leftovers of a prefix', async () => {
    const [stale, fresh, other, leftover] = ['short-lived.a+1', 'short-lived.a+2', 'kept-raw-1', 'short-lived.a+3'].map((name) => blobId(name));
    await sut.putMany([stale!, fresh!, other!].map((id) => ({ id, bytes: bytesOf(id, 1000) })));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await mongo.db.collection('blobs.files').updateMany({ _id: { $in: [stale, other] } as never }, { $set: { uploadDate: hourAgo } });
    // A writer that died between putMany's chunks and its files document.
    await mongo.db.collection('blobs.chunks').insertOne({ _id: `${leftover}#0` as never, files_id: leftover, n: 0, data: new Binary(Buffer.from('x')), writtenAt: hourAgo });

    const deleted = await sut.deleteStale({ idPrefix: 'short-lived.a+', before: new Date(Date.now() - 60_000) });

    expect(deleted).toBe(2);
    expect(await sut.stat(stale!)).toBeNull();
    expect(await chunkCount(stale!)).toBe(0);
    expect(await chunkCount(leftover!)).toBe(0);
    expect(await sut.stat(fresh!)).not.toBeNull();
    expect(await sut.stat(other!)).not.toBeNull();
    expect(await sut.deleteStale({ idPrefix: 'short-lived.a+', before: new Date(Date.now() - 60_000) })).toBe(0);
  });
});
