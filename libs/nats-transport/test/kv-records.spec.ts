import { Kvm, type KV } from '@nats-io/kv';
import { nanos } from '@nats-io/nats-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually } from '@mailbus/testing';
import { KvRecordBuckets, KvRecordContendedError, KvRecords, leaseKey } from '../src';
import { TestApps } from './fixtures/test-apps';
import { startTestNats, type TestNats } from './fixtures/test-nats';

/** The bucket, with `before` awaited ahead of each read and write KvRecords makes: a seam for the other writer of a race. */
const interposed = (kv: KV, before: (operation: 'get' | 'update' | 'create') => Promise<void>): KV =>
  new Proxy(kv, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'get' && property !== 'update' && property !== 'create') return value.bind(target) as unknown;
      return async (...args: unknown[]) => {
        await before(property);
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });

const count = (current: unknown): { next: number; result: number } => {
  const next = (typeof current === 'number' ? current : 0) + 1;
  return { next, result: next };
};

/** Replicas, each with its own connection and its own KvRecords on one bucket. */
describe(KvRecords.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);
  let bucketNumber = 0;

  beforeAll(async () => {
    nats = await startTestNats();
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await nats?.stop();
  });

  const bucketsOf = async (service: string): Promise<KvRecordBuckets> => (await apps.start({ service })).get(KvRecordBuckets);
  // A bucket per test: no test sees another's records.
  const openReplicas = async (n: number, maxAgeMs = 60_000): Promise<{ bucket: string; replicas: KvRecords[] }> => {
    const bucket = `records-${(bucketNumber += 1)}`;
    const replicas: KvRecords[] = [];
    for (let r = 0; r < n; r += 1) replicas.push(await (await bucketsOf(`replica-${r}`)).open({ bucket, maxAgeMs }));
    return { bucket, replicas };
  };

  it('should lose no change when replicas change one record at the same time, and answer each change with its own result', async () => {
    const { replicas } = await openReplicas(3);

    const results = await Promise.all(Array.from({ length: 120 }, (_, n) => replicas[n % 3]!.change({ key: 'counter', apply: count })));

    expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, n) => n + 1));
    expect(await replicas[0]!.change({ key: 'counter', apply: (current) => ({ next: current, result: current }) })).toBe(120);
  });

  it('should retry a write that keeps losing the race, however often, until it wins, and lose no change of either writer', async () => {
    const { bucket, replicas } = await openReplicas(1);
    const [other] = replicas as [KvRecords];
    let losses = 0;
    // Before each of our first 25 writes, the other replica changes the record: each of them loses the compare-and-set.
    const records = new KvRecords(
      interposed(await new Kvm(nats.js).open(bucket), async (operation) => {
        if (operation !== 'get' && losses < 25) {
          losses += 1;
          await other.change({ key: 'contended', apply: count });
        }
      }),
    );

    expect(await records.change({ key: 'contended', apply: count })).toBe(26);
    expect(losses).toBe(25);
    expect(await other.change({ key: 'contended', apply: count })).toBe(27);
  });

  it('should give a change up once its signal aborts while it keeps losing, storing nothing of it, and go on with the next change of the key', async () => {
    const { bucket, replicas } = await openReplicas(1);
    const [other] = replicas as [KvRecords];
    const stopTrying = new AbortController();
    let losses = 0;
    let competing = true;
    const records = new KvRecords(
      interposed(await new Kvm(nats.js).open(bucket), async (operation) => {
        if (operation === 'get' || !competing) return;
        losses += 1;
        await other.change({ key: 'contended', apply: count });
        if (losses === 5) stopTrying.abort();
      }),
    );

    const givenUp = records.change({ key: 'contended', apply: count, signal: stopTrying.signal });
    const next = records.change({ key: 'contended', apply: count });

    await expect(givenUp).rejects.toBeInstanceOf(KvRecordContendedError);
    competing = false;
    expect(await next).toBe(losses + 1);
    expect(losses).toBeGreaterThanOrEqual(5);
  });

  it('should write a record it wrote last without reading it first, and read it first again while another process writes it too', async () => {
    const { bucket, replicas } = await openReplicas(1);
    const [other] = replicas as [KvRecords];
    let reads = 0;
    const records = new KvRecords(interposed(await new Kvm(nats.js).open(bucket), async (operation) => void (operation === 'get' && (reads += 1))));
    const readsFor = async (expected: number): Promise<number> => {
      const before = reads;
      expect(await records.change({ key: 'mine', apply: count })).toBe(expected);
      return reads - before;
    };

    expect([await readsFor(1), await readsFor(2), await readsFor(3)]).toEqual([1, 0, 0]);
    await other.change({ key: 'mine', apply: count });
    // The write on the remembered revision loses, so the record is read; after a loss it is read once more before being trusted again.
    expect([await readsFor(5), await readsFor(6), await readsFor(7)]).toEqual([1, 1, 0]);
  });

  it('should apply the changes one process makes to a record in the order it made them, while another process changes it too', async () => {
    const { replicas } = await openReplicas(2);
    const append = (item: string) => (current: unknown) => {
      const next = [...(Array.isArray(current) ? current : []), item];
      return { next, result: next.length };
    };

    await Promise.all(Array.from({ length: 40 }, (_, n) => replicas[n % 2]!.change({ key: 'log', apply: append(`${n % 2 ? 'b' : 'a'}${n}`) })));
    const log = (await replicas[0]!.change({ key: 'log', apply: (current) => ({ next: current, result: current as string[] }) })) ?? [];

    expect(log).toHaveLength(40);
    expect(log.filter((item) => item.startsWith('a'))).toEqual(Array.from({ length: 20 }, (_, n) => `a${2 * n}`));
    expect(log.filter((item) => item.startsWith('b'))).toEqual(Array.from({ length: 20 }, (_, n) => `b${2 * n + 1}`));
  });

  it('should reject only the change whose apply throws, and store the others', async () => {
    const { replicas } = await openReplicas(1);
    const [records] = replicas as [KvRecords];

    const outcomes = await Promise.allSettled([
      records.change({ key: 'k', apply: count }),
      records.change({
        key: 'k',
        apply: () => {
          throw new Error('bad change');
        },
      }),
      records.change({ key: 'k', apply: count }),
    ]);

    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([1, 'bad change', 2]);
  });

  it('should hand a change no record for a value that is not JSON and for a deleted key, and take any string as key', async () => {
    const { bucket, replicas } = await openReplicas(1);
    const [records] = replicas as [KvRecords];
    const kv = await new Kvm(nats.js).open(bucket);
    await kv.put('stray', 'not json');
    await records.change({ key: 'deleted', apply: count });
    await kv.delete('deleted');
    const seen = (key: string) => records.change({ key, apply: (current) => ({ next: current ?? 'seen', result: current }) });

    expect(await seen('stray')).toBeUndefined();
    expect(await seen('deleted')).toBeUndefined();
    expect(await records.change({ key: 'host-SMTP.example.com/ä', apply: count })).toBe(1);
    expect(JSON.parse((await kv.get(leaseKey('host-SMTP.example.com/ä')))!.string())).toBe(1);
  });

  it('should create the bucket with the events stream\'s replicas and the max age, and remove a key left alone that long', async () => {
    const { bucket, replicas } = await openReplicas(1, 1_000);
    const [records] = replicas as [KvRecords];
    const stream = await nats.jsm.streams.info(`KV_${bucket}`);
    expect(stream.config).toMatchObject({ max_age: nanos(1_000), num_replicas: 1, max_msgs_per_subject: 1 });

    await records.change({ key: 'idle', apply: count });

    await expectEventually(async () => expect((await nats.jsm.streams.info(`KV_${bucket}`)).state.messages).toBe(0), { timeoutMs: 10_000, intervalMs: 200 });
    expect(await records.change({ key: 'idle', apply: count })).toBe(1);
  });

  it('should refuse a bucket name KV cannot hold and a max age below a second', async () => {
    const buckets = await bucketsOf('names');
    await expect(buckets.open({ bucket: 'a.b', maxAgeMs: 60_000 })).rejects.toThrow(/may only contain/);
    await expect(buckets.open({ bucket: 'ab', maxAgeMs: 999 })).rejects.toThrow(/at least 1000/);
  });
});
