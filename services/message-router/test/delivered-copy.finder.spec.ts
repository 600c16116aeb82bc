import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@mailbus/testing';
import { DeliveredCopyFinder } from '../src/messages/delivered-copy.finder';
import { MessageCopyRepository } from '../src/messages/message-copy.repository';
import type { MessageDocument } from '../src/messages/message.document';
import { annasRecord, bensCopy } from './fixtures/message-copies';

/** Against the store: a delivery made from another copy of a mail reads that copy, and never the record's meanwhile. */
let stack: Stack;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  stack = await startStack({});
  mongo = await new MongoClient(stack.mongoUrl).connect();
  db = mongo.db('delivered_copy_test');
  await db.dropDatabase();
}, 120_000);

afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

const message = annasRecord as unknown as MessageDocument;

describe(DeliveredCopyFinder.name, () => {
  it('should answer "being routed" for a delivery whose copy is not kept yet, and that copy once it is', async () => {
    const copies = new MessageCopyRepository(db);
    const sut = new DeliveredCopyFinder(copies);
    const bens = { userId: 'ben', messageId: 'm1', fetchKey: bensCopy._id };

    await expect(sut.of({ message, delivery: bens })).rejects.toMatchObject({ body: { code: 'unavailable' } });
    await copies.insertIfAbsent(bensCopy);
    await copies.insertIfAbsent({ ...bensCopy, blobId: 'a redelivery keeps the first' });

    expect(await sut.of({ message, delivery: bens })).toMatchObject({ copyId: bensCopy._id, blobId: 'blob-ben', headers: bensCopy.headers });
  });

  it("should read the record's own copy for its own delivery, one without a fetch key, and one of another account's record", async () => {
    const sut = new DeliveredCopyFinder(new MessageCopyRepository(db));
    for (const delivery of [{ userId: 'anna', messageId: 'm1', fetchKey: message.fetchKey }, { userId: 'old', messageId: 'm1' }, { userId: 'other', messageId: 'm2', fetchKey: 'a2/imap/INBOX/3/9' }, undefined]) {
      expect(await sut.of({ message, delivery })).toMatchObject({ blobId: 'blob-anna', headers: message.headers });
    }
  });

  it('should keep the later of two moves of a copy, whichever is answered last', async () => {
    const copies = new MessageCopyRepository(db);
    const junk = { protocol: 'imap', folder: 'Junk', folderRole: 'junk', uidValidity: 9, uid: 31 } as const;
    const inbox = { protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 40 } as const;
    expect(await copies.relocate({ fetchKey: bensCopy._id, source: inbox, at: new Date('2026-12-03T10:00:02Z') })).toBe(true);
    expect(await copies.relocate({ fetchKey: bensCopy._id, source: junk, at: new Date('2026-12-03T10:00:01Z') })).toBe(false);
    expect((await copies.findByFetchKey(bensCopy._id))?.relocated?.source).toEqual(inbox);
  });
});
