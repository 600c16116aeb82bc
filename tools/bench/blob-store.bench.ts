// Puts a 50 MB streamed message into the BlobStore and reads it back: throughput each way, sha256
// check, and how much the process's memory grows (the store must stream, never hold a message whole).
// Run: node tools/build.mjs && node dist/tools/bench/blob-store.bench.js
// Uses MONGODB_URL when set, else starts a private FerretDB. Exit code 1 on a sha256 mismatch or
// when resident memory grows by 100 MB or more.
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { BlobStore, IndexProvisioner, blobId } from '@mailbus/mongo-dal';
import { startFerretDb } from '@mailbus/testing';

const MB = 1024 * 1024;
const MESSAGE_BYTES = 50 * MB;
const GROWTH_TARGET_MB = 100;

/** Deterministic pseudo-random bytes (AES-128-CTR keystream), piece by piece, hashed as they are produced. */
async function* pseudoRandomMessage({ length, hash }: { length: number; hash: Hash }): AsyncGenerator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', createHash('sha256').update('blob-store.bench').digest().subarray(0, 16), Buffer.alloc(16));
  for (let produced = 0, piece = 0; produced < length; piece++) {
    const size = Math.min(length - produced, 48 * 1024 + ((piece * 7919) % (32 * 1024)));
    const bytes = cipher.update(Buffer.alloc(size));
    hash.update(bytes);
    produced += size;
    yield bytes;
  }
}

/** Samples memory every 20 ms; peaks include the moment of stopping. Buffers live outside the heap, in arrayBuffers. */
function startMemorySampler(): { stop(): { rssPeak: number; heapPeak: number; buffersPeak: number } } {
  let rssPeak = 0;
  let heapPeak = 0;
  let buffersPeak = 0;
  const sample = (): void => {
    const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
    rssPeak = Math.max(rssPeak, rss);
    heapPeak = Math.max(heapPeak, heapUsed);
    buffersPeak = Math.max(buffersPeak, arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { rssPeak, heapPeak, buffersPeak };
    },
  };
}

const mb = (bytes: number): string => (bytes / MB).toFixed(1);
const rate = (bytes: number, ms: number): string => (bytes / MB / (ms / 1000)).toFixed(1);

async function main(): Promise<number> {
  // The figures are the output; the index provisioner's info lines are not.
  Logger.overrideLogger(['warn', 'error']);
  let dir: string | undefined;
  let stopServer = async (): Promise<void> => undefined;
  let url = process.env.MONGODB_URL;
  if (!url) {
    dir = await mkdtemp(join(tmpdir(), 'blob-store-bench-'));
    const ferret = await startFerretDb({ dir, log: (line) => console.log(line) });
    url = ferret.url;
    stopServer = () => ferret.process.stop();
  }
  const client = await MongoClient.connect(url);
  try {
    const db = client.db(`blob_store_bench_${process.pid}`);
    await new IndexProvisioner(db).provision(BlobStore.indexes);
    const store = new BlobStore(db);
    const id = blobId('bench-50mb');

    const baseline = process.memoryUsage();
    const sampler = startMemorySampler();
    const inputHash = createHash('sha256');
    const putStarted = performance.now();
    const put = await store.put({ id, source: pseudoRandomMessage({ length: MESSAGE_BYTES, hash: inputHash }) });
    const putMs = performance.now() - putStarted;

    const outputHash = createHash('sha256');
    let readBytes = 0;
    const readStarted = performance.now();
    for await (const piece of store.openReadStream(id)) {
      outputHash.update(piece as Buffer);
      readBytes += (piece as Buffer).length;
    }
    const readMs = performance.now() - readStarted;
    const { rssPeak, heapPeak, buffersPeak } = sampler.stop();

    const sha256In = inputHash.digest('hex');
    const sha256Out = outputHash.digest('hex');
    const matches = sha256In === sha256Out && put.sha256 === sha256In && readBytes === MESSAGE_BYTES && put.length === MESSAGE_BYTES;
    const rssGrowth = rssPeak - baseline.rss;

    console.log(`server: ${process.env.MONGODB_URL ? 'MONGODB_URL' : 'private FerretDB'}`);
    console.log(`message: ${mb(MESSAGE_BYTES)} MB (${MESSAGE_BYTES} bytes), streamed`);
    console.log(`put: ${(putMs / 1000).toFixed(2)} s, ${rate(MESSAGE_BYTES, putMs)} MB/s in`);
    console.log(`read: ${(readMs / 1000).toFixed(2)} s, ${rate(readBytes, readMs)} MB/s out`);
    console.log(`sha256 in:  ${sha256In}`);
    console.log(`sha256 out: ${sha256Out}`);
    console.log(`sha256: ${matches ? 'match' : 'MISMATCH'} (${readBytes} bytes read back)`);
    console.log(`rss MB: baseline ${mb(baseline.rss)}, peak ${mb(rssPeak)}, growth ${mb(rssGrowth)}`);
    console.log(`heapUsed MB: baseline ${mb(baseline.heapUsed)}, peak ${mb(heapPeak)}, growth ${mb(heapPeak - baseline.heapUsed)}`);
    console.log(`arrayBuffers MB: baseline ${mb(baseline.arrayBuffers)}, peak ${mb(buffersPeak)}, growth ${mb(buffersPeak - baseline.arrayBuffers)}`);
    console.log(`memory target: rss growth under ${GROWTH_TARGET_MB} MB: ${rssGrowth < GROWTH_TARGET_MB * MB ? 'met' : 'MISSED'}`);

    await db.dropDatabase();
    return matches && rssGrowth < GROWTH_TARGET_MB * MB ? 0 : 1;
  } finally {
    await client.close();
    await stopServer();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
