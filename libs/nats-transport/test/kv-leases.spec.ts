import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEventually } from '@mailbus/testing';
import { KvLeases, LeaseBuckets, leaseKey } from '../src';
import { TestApps } from './fixtures/test-apps';
import { startTestNats, type TestNats } from './fixtures/test-nats';

const MAX_LEASE_MS = 60_000;

/** Two replicas, each with its own connection and its own view of one bucket. */
describe(KvLeases.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);
  let replicas: [KvLeases, KvLeases];
  let bucket = 0;

  beforeAll(async () => {
    nats = await startTestNats();
  });

  // A bucket per test: no test sees another's leases.
  const openReplicas = async (): Promise<[KvLeases, KvLeases]> => {
    bucket += 1;
    const open = async (service: string): Promise<KvLeases> => (await apps.start({ service })).get(LeaseBuckets).open({ bucket: `leases-${bucket}`, maxLeaseMs: MAX_LEASE_MS });
    replicas = [await open('replica-a'), await open('replica-b')];
    return replicas;
  };

  afterEach(async () => {
    vi.useRealTimers();
    await apps.closeAll();
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('should give a free lease to exactly one of many holders racing for it from two replicas', async () => {
    const [a, b] = await openReplicas();

    const takers = Array.from({ length: 12 }, (_, n) => (n % 2 === 0 ? a : b).tryAcquire({ id: 'item-1', holder: `holder-${n}`, leaseMs: 30_000 }));
    const won = (await Promise.all(takers)).filter((lease) => lease !== undefined);

    expect(won).toHaveLength(1);
    expect(await b.heldBy('item-1')).toBe(won[0]!.holder);
  });

  it('should free a released lease at once, and keep a released lease from being renewed', async () => {
    const [a, b] = await openReplicas();
    const first = (await a.tryAcquire({ id: 'item-2', holder: 'first', leaseMs: 30_000 }))!;

    await first.release();

    expect(await b.heldBy('item-2')).toBeUndefined();
    expect(await first.renew()).toBe(false);
    expect((await b.tryAcquire({ id: 'item-2', holder: 'second', leaseMs: 30_000 }))?.holder).toBe('second');
  });

  it('should refuse a live lease, hand an expired one to exactly one taker, and never let the old holder renew or release the new lease', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const [a, b] = await openReplicas();
    const dead = (await a.tryAcquire({ id: 'item-3', holder: 'dead', leaseMs: 10_000 }))!;
    expect(await b.tryAcquire({ id: 'item-3', holder: 'early', leaseMs: 10_000 })).toBeUndefined();

    vi.setSystemTime(Date.now() + 10_001);
    const takers = Array.from({ length: 8 }, (_, n) => (n % 2 === 0 ? a : b).tryAcquire({ id: 'item-3', holder: `taker-${n}`, leaseMs: 10_000 }));
    const won = (await Promise.all(takers)).filter((lease) => lease !== undefined);

    expect(won).toHaveLength(1);
    expect(await dead.renew()).toBe(false);
    await dead.release();
    expect(await a.heldBy('item-3')).toBe(won[0]!.holder);
  });

  it('should keep a renewed lease past its first deadline and until the renewed one', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const [a, b] = await openReplicas();
    const start = Date.now();
    const lease = (await a.tryAcquire({ id: 'item-4', holder: 'renewing', leaseMs: 10_000 }))!;

    vi.setSystemTime(start + 9_000);
    expect(await lease.renew()).toBe(true);
    vi.setSystemTime(start + 15_000);
    expect(await b.tryAcquire({ id: 'item-4', holder: 'other', leaseMs: 10_000 })).toBeUndefined();
    expect(await b.heldBy('item-4')).toBe('renewing');
    vi.setSystemTime(start + 19_001);
    expect(await b.heldBy('item-4')).toBeUndefined();
  });

  it('should count the live leases only: not the released nor the expired ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const [a, b] = await openReplicas();
    await a.tryAcquire({ id: 'live-1', holder: 'x', leaseMs: 30_000 });
    await b.tryAcquire({ id: 'live-2', holder: 'y', leaseMs: 30_000 });
    await (await a.tryAcquire({ id: 'released', holder: 'z', leaseMs: 30_000 }))!.release();
    await b.tryAcquire({ id: 'expiring', holder: 'w', leaseMs: 5_000 });

    vi.setSystemTime(Date.now() + 5_001);

    await expectEventually(async () => expect(await a.countLive()).toBe(2));
  });

  it('should take ids with characters a KV key cannot hold, without mixing them up with plain ids', async () => {
    const [a] = await openReplicas();
    const odd = 'outbox 7/ä.b';
    expect(leaseKey('plain-Id_1')).toBe('plain-Id_1');
    expect(leaseKey(odd)).toMatch(/^=[-_A-Za-z0-9]+$/);

    const lease = await a.tryAcquire({ id: odd, holder: 'odd', leaseMs: 30_000 });
    const plain = await a.tryAcquire({ id: leaseKey(odd).slice(1), holder: 'plain', leaseMs: 30_000 });

    expect(lease?.id).toBe(odd);
    expect(plain).toBeDefined();
    expect(await a.heldBy(odd)).toBe('odd');
  });

  it('should refuse a lease longer than its bucket keeps one, and a bucket name KV cannot hold', async () => {
    const [a] = await openReplicas();
    await expect(a.tryAcquire({ id: 'long', holder: 'x', leaseMs: MAX_LEASE_MS + 1 })).rejects.toThrow(/longer than the bucket keeps one/);
    const buckets = (await apps.start({ service: 'names' })).get(LeaseBuckets);
    await expect(buckets.open({ bucket: 'a.b', maxLeaseMs: MAX_LEASE_MS })).rejects.toThrow(/may only contain/);
  });
});
