import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLDER_LIST_BLOB_PREFIX, OUTBOX_REQUEST_BLOB_PREFIX } from '@mailbus/contracts';
import { BlobStore, blobId } from '@mailbus/mongo-dal';
import { startStack, type Stack } from '@mailbus/testing';
import { AppModule } from '../src/app.module';
import { loadApiConfig } from '../src/config/api.config';
import { SHORT_LIVED_BLOB_MAX_AGE_MS, ShortLivedBlobSweeper } from '../src/short-lived-blob.sweeper';

describe(ShortLivedBlobSweeper.name, () => {
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

  it('should delete the request and folder list blobs a crashed api left behind, and nothing else', async () => {
    const blobs = app.get(BlobStore);
    const [orphan, folderList, inFlight, message] = [`${OUTBOX_REQUEST_BLOB_PREFIX}orphan`, `${FOLDER_LIST_BLOB_PREFIX}orphan`, `${OUTBOX_REQUEST_BLOB_PREFIX}in-flight`, 'raw-kept'].map((name) => blobId(name));
    await blobs.putMany([orphan!, folderList!, inFlight!, message!].map((id) => ({ id, bytes: randomBytes(2048) })));
    const longAgo = new Date(Date.now() - SHORT_LIVED_BLOB_MAX_AGE_MS - 60_000);
    await mongo.db(dbName).collection('blobs.files').updateMany({ _id: { $in: [orphan, folderList, message] } as never }, { $set: { uploadDate: longAgo } });

    expect(await app.get(ShortLivedBlobSweeper).sweep()).toBe(2);

    expect(await blobs.stat(orphan!)).toBeNull();
    expect(await blobs.stat(folderList!)).toBeNull();
    expect(await blobs.stat(inFlight!)).not.toBeNull();
    expect(await blobs.stat(message!)).not.toBeNull();
  });
});
