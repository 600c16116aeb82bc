import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_REQUEST_BLOB_PREFIX } from '@mailbus/contracts';
import { BlobStore, blobId } from '@mailbus/mongo-dal';
import { startStack, type Stack } from '@mailbus/testing';
import { AppModule } from '../src/app.module';
import { loadApiConfig } from '../src/config/api.config';
import { OUTBOX_REQUEST_BLOB_MAX_AGE_MS, OutboxRequestBlobSweeper } from '../src/outbox/outbox-request-blob.sweeper';

describe(OutboxRequestBlobSweeper.name, () => {
  let stack: Stack;
  let app: INestApplication;
  let mongo: MongoClient;
  const dbName = `api_sweeper_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    stack = await startStack();
    const config = loadApiConfig({ ...stack.env, MONGODB_DB: dbName, MAILBUS_API_TOKENS: `admin:${randomBytes(12).toString('hex')}`, LOG_LEVEL: 'silent' });
    app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    await app.init();
    mongo = await MongoClient.connect(stack.mongoUrl);
  });

  afterAll(async () => {
    await mongo?.close();
    await app?.close();
    await stack?.stop();
  });

  it('should delete the request blobs a crashed api left behind, and nothing else', async () => {
    const blobs = app.get(BlobStore);
    const [orphan, inFlight, message] = [`${OUTBOX_REQUEST_BLOB_PREFIX}orphan`, `${OUTBOX_REQUEST_BLOB_PREFIX}in-flight`, 'raw-kept'].map((name) => blobId(name));
    await blobs.putMany([orphan!, inFlight!, message!].map((id) => ({ id, bytes: randomBytes(2048) })));
    const longAgo = new Date(Date.now() - OUTBOX_REQUEST_BLOB_MAX_AGE_MS - 60_000);
    await mongo.db(dbName).collection('blobs.files').updateMany({ _id: { $in: [orphan, message] } as never }, { $set: { uploadDate: longAgo } });

    expect(await app.get(OutboxRequestBlobSweeper).sweep()).toBe(1);

    expect(await blobs.stat(orphan!)).toBeNull();
    expect(await blobs.stat(inFlight!)).not.toBeNull();
    expect(await blobs.stat(message!)).not.toBeNull();
  });
});
