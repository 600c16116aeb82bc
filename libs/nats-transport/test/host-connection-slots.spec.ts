import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HostConnectionSlots, LeaseBuckets, type HostSlot } from '../src';
import { TestApps } from './fixtures/test-apps';
import { startTestNats, type TestNats } from './fixtures/test-nats';

/** Two replicas (or a fetcher and spam-feedback) taking slots of the same hosts. */
describe(HostConnectionSlots.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);
  let hostNumber = 0;

  beforeAll(async () => {
    nats = await startTestNats();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await apps.closeAll();
  });

  afterAll(async () => {
    await nats?.stop();
  });

  const replica = async (service: string): Promise<HostConnectionSlots> => {
    const slots = new HostConnectionSlots((await apps.start({ service })).get(LeaseBuckets));
    await slots.onModuleInit();
    return slots;
  };
  // The bucket is shared by every test: a host per test keeps them apart.
  const newHost = (): string => `mail${(hostNumber += 1)}.example.com`;

  it('should hand out exactly `cap` slots of a host to many holders racing from two replicas, and a released one again', async () => {
    const [a, b] = [await replica('fetcher-a'), await replica('fetcher-b')];
    const host = newHost();

    const taken = (await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? a : b).acquire({ host, cap: 3, holder: `holder-${n}`, leaseMs: 30_000 })))).filter((slot): slot is HostSlot => slot !== undefined);

    expect(taken).toHaveLength(3);
    expect(new Set(taken.map(({ id }) => id)).size).toBe(3);
    expect(await a.acquire({ host, cap: 3, holder: 'late', leaseMs: 30_000 })).toBeUndefined();
    await taken[1]!.release();
    expect((await b.acquire({ host, cap: 3, holder: 'next', leaseMs: 30_000 }))?.id).toBe(taken[1]!.id);
  });

  it('should count a host by its name in any case, and each host on its own', async () => {
    const [a, b] = [await replica('fetcher'), await replica('spam-feedback')];
    const host = newHost();
    const other = newHost();

    expect(await a.acquire({ host: host.toUpperCase(), cap: 1, holder: 'fetcher', leaseMs: 30_000 })).toBeDefined();

    expect(await b.acquire({ host, cap: 1, holder: 'spam-feedback', leaseMs: 30_000 })).toBeUndefined();
    expect(await b.acquire({ host: other, cap: 1, holder: 'spam-feedback', leaseMs: 30_000 })).toBeDefined();
  });

  it('should free the slot of a holder that died once its lease runs out, and keep a renewed one', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const [a, b] = [await replica('dying'), await replica('survivor')];
    const host = newHost();
    const start = Date.now();
    await a.acquire({ host, cap: 2, holder: 'dead', leaseMs: 10_000 });
    const renewed = (await a.acquire({ host, cap: 2, holder: 'alive', leaseMs: 10_000 }))!;

    vi.setSystemTime(start + 9_000);
    expect(await renewed.renew()).toBe(true);
    vi.setSystemTime(start + 10_001);

    const next = await b.acquire({ host, cap: 2, holder: 'next', leaseMs: 10_000 });
    expect(next?.id).not.toBe(renewed.id);
    expect(await b.acquire({ host, cap: 2, holder: 'one more', leaseMs: 10_000 })).toBeUndefined();
  });

  it('should wait for a slot that is released, and give up after the wait when none is', async () => {
    const [a, b] = [await replica('fetcher'), await replica('account-registry')];
    const host = newHost();
    const held = (await a.acquire({ host, cap: 1, holder: 'run', leaseMs: 30_000 }))!;

    const started = Date.now();
    expect(await b.acquireWithin({ host, cap: 1, holder: 'test', leaseMs: 30_000, waitMs: 300 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);

    const waiting = b.acquireWithin({ host, cap: 1, holder: 'test', leaseMs: 30_000, waitMs: 30_000 });
    await held.release();
    const taken = await waiting;
    expect(taken?.holder).toBe('test');
    expect(await a.acquire({ host, cap: 1, holder: 'run', leaseMs: 30_000 })).toBeUndefined();
  });
});
