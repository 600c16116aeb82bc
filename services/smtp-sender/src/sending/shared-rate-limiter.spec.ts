import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryKvRecords, UnavailableKvRecords } from '../../test/fixtures/memory-kv-records.stub';
import { FALLBACK_HOLD_MS, SHARED_TAKE_DEADLINE_MS, SharedRateLimiter } from './shared-rate-limiter';

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const recordingLogger = () => {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (message: unknown) => void warnings.push(String(message)) } };
};
const shape = { ratePerSecond: 1, burst: 1 };

afterEach(() => {
  vi.useRealTimers();
});

describe(SharedRateLimiter.name, () => {
  it('should share one bucket per key between limiters on the same records, and keep keys and prefixes apart', async () => {
    const time = clock();
    const records = new MemoryKvRecords();
    const [a, b] = [new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now }), new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now })];
    const host = new SharedRateLimiter({ records, keyPrefix: 'host', shape, now: time.now });

    expect((await a.take('k')).waitMs).toBe(0);
    expect((await b.take('k')).waitMs).toBe(1_000);
    expect((await b.take('other')).waitMs).toBe(0);
    expect((await host.take('k')).waitMs).toBe(0);
  });

  it('should give a shared token back so that the other limiter gets it', async () => {
    const time = clock();
    const records = new MemoryKvRecords();
    const [a, b] = [new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now }), new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now })];

    await (await a.take('k')).giveBack();

    expect((await b.take('k')).waitMs).toBe(0);
  });

  it('should treat a stored value it did not write as a full bucket', async () => {
    const records = new MemoryKvRecords();
    records.values.set('account-k', { tokens: 'many' });
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: clock().now });

    expect((await sut.take('k')).waitMs).toBe(0);
    expect(records.values.get('account-k')).toEqual({ tokens: 0, at: 1_000_000 });
  });

  it('should limit in-process, with a warning, when KV fails, and ask KV again after the hold', async () => {
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const records = new MemoryKvRecords();
    let available = false;
    const flaky = { change: ((input) => (available ? records.change(input) : new UnavailableKvRecords().change())) as MemoryKvRecords['change'] };
    const sut = new SharedRateLimiter({ records: flaky, keyPrefix: 'account', shape, now: time.now, logger });

    expect((await sut.take('k')).waitMs).toBe(0);
    expect((await sut.take('k')).waitMs).toBe(1_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/account send rate limit: NATS KV failed 1 time\(s\).*no responders/);

    available = true;
    time.advance(FALLBACK_HOLD_MS - 1);
    await sut.take('k');
    expect(records.values.size).toBe(0);
    time.advance(1);
    expect((await sut.take('k')).waitMs).toBe(0);
    expect(records.values.get('account-k')).toEqual({ tokens: 0, at: time.now() });
  });

  it('should warn at most once a minute while KV keeps failing, counting the failures in between', async () => {
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const sut = new SharedRateLimiter({ records: new UnavailableKvRecords(), keyPrefix: 'host', shape, now: time.now, logger });

    for (let n = 0; n < 12; n += 1) {
      await sut.take('k');
      time.advance(FALLBACK_HOLD_MS);
    }

    expect(warnings).toHaveLength(1);
    await sut.take('k');
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/failed 12 time\(s\)/);
  });

  it('should not wait for KV longer than the deadline, nor at all during the hold after it', async () => {
    vi.useFakeTimers();
    const sut = new SharedRateLimiter({ records: new UnavailableKvRecords('hangs'), keyPrefix: 'account', shape, logger: recordingLogger().logger });
    let answered: number | undefined;
    const first = sut.take('k').then(({ waitMs }) => (answered = waitMs));

    await vi.advanceTimersByTimeAsync(SHARED_TAKE_DEADLINE_MS - 1);
    expect(answered).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(answered).toBe(0);
    expect((await sut.take('k')).waitMs).toBeGreaterThan(0);
  });

  it('should answer a give-back even when KV fails by then', async () => {
    let available = true;
    const records = new MemoryKvRecords();
    const flaky = { change: ((input) => (available ? records.change(input) : new UnavailableKvRecords().change())) as MemoryKvRecords['change'] };
    const sut = new SharedRateLimiter({ records: flaky, keyPrefix: 'account', shape, now: clock().now });
    const taken = await sut.take('k');

    available = false;

    await expect(taken.giveBack()).resolves.toBeUndefined();
  });
});
