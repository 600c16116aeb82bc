import { describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startStack } from '../src';

describe('startStack', () => {
  it('should start NATS with JetStream and FerretDB on free ports and stop them', async () => {
    const saved = { ...process.env };
    delete process.env.NATS_URL;
    delete process.env.MONGODB_URL;
    const sut = await startStack().finally(() => Object.assign(process.env, saved));
    try {
      const nc = await connect({ servers: sut.natsUrl });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.getAccountInfo()).streams).toBe(0);
      await nc.close();
      const mongo = await MongoClient.connect(sut.mongoUrl);
      await mongo.db('probe').collection('x').insertOne({ ok: 1 });
      expect(await mongo.db('probe').collection('x').countDocuments()).toBe(1);
      await mongo.close();
    } finally {
      await sut.stop();
    }
    await expect(MongoClient.connect(sut.mongoUrl, { serverSelectionTimeoutMS: 500 })).rejects.toThrow();
  });
});
