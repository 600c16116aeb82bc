import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@mailbus/testing';
import { SpamMarkOrder } from '../src/writeback/spam-mark-order';

/** Against the store: marks of one message handled out of order (spam, then not spam, the spam mark late). */
let stack: Stack;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  stack = await startStack({});
  mongo = await new MongoClient(stack.mongoUrl).connect();
  db = mongo.db('spam_mark_order_test');
  await db.dropDatabase();
}, 120_000);

afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

describe(SpamMarkOrder.name, () => {
  const spamAt = new Date('2026-12-03T10:00:00.000Z');
  const notSpamAt = new Date('2026-12-03T10:00:02.000Z');

  it('should let a mark through in order and skip an older one that comes after a newer', async () => {
    const sut = new SpamMarkOrder(db);
    expect(await sut.isSuperseded({ messageId: 'm-late', requestedAt: notSpamAt })).toBe(false);
    expect(await sut.isSuperseded({ messageId: 'm-late', requestedAt: spamAt })).toBe(true);
    // The newer mark handled again (a redelivery) still goes through: the move is idempotent.
    expect(await sut.isSuperseded({ messageId: 'm-late', requestedAt: notSpamAt })).toBe(false);
  });

  it('should keep each message apart and let marks in order through', async () => {
    const sut = new SpamMarkOrder(db);
    expect(await sut.isSuperseded({ messageId: 'm-in-order', requestedAt: spamAt })).toBe(false);
    expect(await sut.isSuperseded({ messageId: 'm-in-order', requestedAt: notSpamAt })).toBe(false);
    expect(await sut.isSuperseded({ messageId: 'm-other', requestedAt: spamAt })).toBe(false);
    expect(await db.collection('spam_mark_order').findOne({ _id: 'm-in-order' as never })).toMatchObject({ requestedAt: notSpamAt });
  });

  it("should order the marks of each copy apart: one recipient's newer mark of their own copy does not skip another's older mark of theirs", async () => {
    const sut = new SpamMarkOrder(db);
    expect(await sut.isSuperseded({ messageId: 'm-copies', requestedAt: notSpamAt })).toBe(false);
    expect(await sut.isSuperseded({ messageId: 'm-copies', copyId: 'c1', requestedAt: spamAt })).toBe(false);
    expect(await sut.isSuperseded({ messageId: 'm-copies', copyId: 'c1', requestedAt: new Date(spamAt.getTime() - 1) })).toBe(true);
  });
});
