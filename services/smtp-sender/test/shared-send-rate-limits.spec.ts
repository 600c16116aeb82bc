import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { KvRecords, RetryLaterError } from '@mailbus/nats-transport';
import { expectEventually, startNats, type RunningNats } from '@mailbus/testing';
import { SendRateLimits } from '../src/sending/send-rate-limits';
import { FALLBACK_HOLD_MS, RateLimitContendedError, SharedRateLimiter } from '../src/sending/shared-rate-limiter';

/**
 * smtp-sender replicas, each with its own NATS connection, sharing the rate-limit buckets in a
 * real NATS KV bucket. The clock is injected: the replicas agree on it, and time moves only when a
 * test moves it.
 */
const clock = (start = Date.now()) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const quiet = { warn: () => undefined };

let dir: string;
let nats: RunningNats;
let connections: NatsConnection[];
let bucketNumber = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-send-rate-limits-'));
  nats = await startNats({ dir, log: () => undefined });
  const replicaConnection = () => connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  connections = await Promise.all(Array.from({ length: 6 }, replicaConnection));
}, 120_000);

afterAll(async () => {
  await Promise.all((connections ?? []).map((nc) => nc.close()));
  await nats?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What KvRecordBuckets opens, on a replica's own connection (the module's clients are not started here). */
const bucketsOn = (nc: NatsConnection) => ({
  open: async ({ bucket, maxAgeMs }: { bucket: string; maxAgeMs: number }): Promise<KvRecords> => new KvRecords(await new Kvm(jetstream(nc)).create(bucket, { history: 1, ttl: maxAgeMs })),
});

/** The bucket as each of `replicas` opens it: a bucket per test, so that no test sees another's keys. */
const openReplicas = async (replicas = 2): Promise<KvRecords[]> => {
  const bucket = `send-rate-limits-${(bucketNumber += 1)}`;
  return Promise.all(connections.slice(0, replicas).map((nc) => bucketsOn(nc).open({ bucket, maxAgeMs: 5 * 60_000 })));
};

describe(SharedRateLimiter.name, () => {
  it('should admit no more than burst + rate × elapsed across two replicas that keep taking at the same time', async () => {
    const time = clock();
    const shape = { ratePerSecond: 0.5, burst: 3 };
    const [a, b] = (await openReplicas()).map((records) => new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger: quiet }));
    let admitted = 0;

    // 30 s of 8 senders a second for one account (30 a minute, as Microsoft 365 allows): far more than it may send.
    for (let second = 0; second < 30; second += 1) {
      const taken = await Promise.all(Array.from({ length: 8 }, (_, n) => (n % 2 ? a! : b!).take('acc-1')));
      admitted += taken.filter(({ waitMs }) => waitMs === 0).length;
      // As SendRateLimits does with a wait it will not spend in the handler.
      await Promise.all(taken.filter(({ waitMs }) => waitMs > 0).map((reservation) => reservation.giveBack()));
      if (second < 29) time.advance(1_000);
    }

    expect(admitted).toBe(Math.floor(shape.burst + shape.ratePerSecond * 29));
  });

  it('should admit no more than burst + rate × elapsed across six replicas hammering one key, lose no take or give-back, and never limit in-process for conflicts', async () => {
    const time = clock();
    const shape = { ratePerSecond: 2, burst: 5 };
    const warnings: string[] = [];
    const records = await openReplicas(6);
    const replicas = records.map((replica) => new SharedRateLimiter({ records: replica, keyPrefix: 'host', shape, now: time.now, logger: { warn: (message: string) => void warnings.push(message) } }));
    const started = time.now();
    const outcomes = { admitted: 1, contended: 0, givenBack: 0 };
    expect((await replicas[0]!.take('smtp.office365.com')).waitMs).toBe(0);

    // Six replicas × eight senders each, every one taking again as soon as it has its answer (and giving
    // back a token it would have to wait for, as SendRateLimits does): the compare-and-set never rests.
    const sender = async (replica: SharedRateLimiter): Promise<void> => {
      for (let n = 0; n < 25; n += 1) {
        time.advance(5);
        const reservation = await replica.take('smtp.office365.com').catch((error: unknown) => {
          if (!(error instanceof RateLimitContendedError)) throw error;
          outcomes.contended += 1;
        });
        if (!reservation) continue;
        if (reservation.waitMs === 0) outcomes.admitted += 1;
        else {
          await reservation.giveBack();
          outcomes.givenBack += 1;
        }
      }
    };
    await Promise.all(replicas.flatMap((replica) => Array.from({ length: 8 }, () => sender(replica))));

    const elapsedMs = time.now() - started;
    expect(warnings).toEqual([]);
    expect(outcomes.admitted + outcomes.contended + outcomes.givenBack).toBe(1 + 6 * 8 * 25);
    expect(outcomes.admitted).toBeLessThanOrEqual(Math.floor(shape.burst + (shape.ratePerSecond * elapsedMs) / 1_000));
    // Every take and give-back stored once, none twice: what is left is the burst, plus the refill, minus the tokens admitted.
    const stored = (await records[0]!.change({ key: 'host-smtp.office365.com', apply: (current) => ({ next: current, result: current as { tokens: number; at: number } }) }))!;
    expect(stored.tokens).toBeCloseTo(shape.burst + (shape.ratePerSecond * (stored.at - started)) / 1_000 - outcomes.admitted, 6);
  });

  it('should give each of many takes racing from both replicas its own place in line (no update lost)', async () => {
    const time = clock();
    const shape = { ratePerSecond: 1, burst: 2 };
    const [a, b] = (await openReplicas()).map((records) => new SharedRateLimiter({ records, keyPrefix: 'host', shape, now: time.now, logger: quiet }));

    const waits = (await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? a! : b!).take('smtp.example.com')))).map(({ waitMs }) => waitMs);

    expect(waits.sort((x, y) => x - y)).toEqual([0, 0, ...Array.from({ length: 18 }, (_, n) => (n + 1) * 1_000)]);
  });

  it("should refill a key's tokens with time, up to the burst, for whichever replica takes next", async () => {
    const time = clock();
    const shape = { ratePerSecond: 1, burst: 2 };
    const [a, b] = (await openReplicas()).map((records) => new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger: quiet }));
    const waitsOf = async (...replicas: SharedRateLimiter[]): Promise<number[]> => {
      const waits: number[] = [];
      for (const replica of replicas) {
        const taken = await replica.take('acc-2');
        waits.push(taken.waitMs);
        if (taken.waitMs > 0) await taken.giveBack();
      }
      return waits;
    };

    expect(await waitsOf(a!, b!, a!)).toEqual([0, 0, 1_000]);
    time.advance(1_000);
    expect(await waitsOf(b!, a!)).toEqual([0, 1_000]);
    time.advance(60_000);
    expect(await waitsOf(a!, b!, b!)).toEqual([0, 0, 1_000]);
  });

  it('should keep sending, limited in-process, while NATS is down, and share the bucket again once it is back', async () => {
    const time = clock();
    const shape = { ratePerSecond: 1, burst: 1 };
    const [a, b] = (await openReplicas()).map((records) => new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger: quiet }));

    await nats.process.stop();
    try {
      // In-process from an empty bucket: a replica that falls back adds no burst of its own.
      expect((await a!.take('acc-3')).waitMs).toBe(1_000);
      expect((await a!.take('acc-3')).waitMs).toBe(2_000);
    } finally {
      await nats.process.start();
    }

    let round = 0;
    await expectEventually(async () => {
      time.advance(FALLBACK_HOLD_MS);
      const key = `acc-3-${(round += 1)}`;
      await a!.take(key);
      expect((await b!.take(key)).waitMs).toBe(1_000);
    });
  });
});

describe(SendRateLimits.name, () => {
  it('should refuse on one replica what the account already sent through the other', async () => {
    const settings = { perAccountPerMinute: 6, perHostPerMinute: 0 };
    const [a, b] = connections.slice(0, 2).map((nc) => new SendRateLimits(settings, bucketsOn(nc)));
    await Promise.all([a!.onModuleInit(), b!.onModuleInit()]);
    const accountId = `acc-${Date.now()}`;

    await a!.admit({ accountId, host: 'smtp.example.com', what: 'outbox 1' });
    const refused = await b!.admit({ accountId, host: 'smtp.example.com', what: 'outbox 2' }).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(RetryLaterError);
    expect((refused as RetryLaterError).delayMs).toBeGreaterThan(9_000);
  });
});
