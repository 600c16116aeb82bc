import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlakyKvRecords, MemoryKvRecords, UnavailableKvRecords } from '../../test/fixtures/memory-kv-records.stub';
import { CONTENDED_RETRY_MS, FALLBACK_HOLD_MS, GIVE_BACK_DEADLINE_MS, RateLimitContendedError, SHARED_TAKE_DEADLINE_MS, SharedRateLimiter } from './shared-rate-limiter';

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const recordingLogger = () => {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (message: unknown) => void warnings.push(String(message)) } };
};
const shape = { ratePerSecond: 1, burst: 1 };
const waitsOf = async (sut: SharedRateLimiter, key: string, takes: number): Promise<number[]> => (await Promise.all(Array.from({ length: takes }, () => sut.take(key)))).map(({ waitMs }) => waitMs);

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

  it('should give a token back once however often its reservation is given back', async () => {
    const time = clock();
    const records = new MemoryKvRecords();
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now });
    const first = await sut.take('k');
    await sut.take('k');

    await Promise.all([first.giveBack(), first.giveBack()]);
    await first.giveBack();

    expect((await sut.take('k')).waitMs).toBe(1_000);
  });

  it('should treat a stored value it did not write as a full bucket', async () => {
    const records = new MemoryKvRecords();
    records.values.set('account-k', { tokens: 'many' });
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: clock().now });

    expect((await sut.take('k')).waitMs).toBe(0);
    expect(records.values.get('account-k')).toEqual({ tokens: 0, at: 1_000_000 });
  });

  it('should limit a key in-process from an empty bucket, with a warning, when KV fails for it, keep the other keys shared, and ask KV again after the hold', async () => {
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const records = new FlakyKvRecords();
    records.trouble = { how: 'fails', keys: (key) => key === 'account-k' };
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger });

    // Empty, not full: a replica that falls back adds no burst of its own to what the fleet already sent.
    expect((await sut.take('k')).waitMs).toBe(1_000);
    expect((await sut.take('k')).waitMs).toBe(2_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/account send rate limit: NATS KV failed 1 time\(s\).*no responders/);
    expect((await sut.take('other')).waitMs).toBe(0);
    expect(records.values.get('account-other')).toEqual({ tokens: 0, at: time.now() });

    records.trouble = undefined;
    time.advance(FALLBACK_HOLD_MS - 1);
    await sut.take('k');
    expect(records.values.has('account-k')).toBe(false);
    time.advance(1);
    expect((await sut.take('k')).waitMs).toBe(0);
    expect(records.values.get('account-k')).toEqual({ tokens: 0, at: time.now() });
  });

  it('should share one in-process bucket among takes that fail together, and start it empty again each time KV fails anew', async () => {
    const time = clock();
    const records = new FlakyKvRecords();
    const sut = new SharedRateLimiter({ records, keyPrefix: 'host', shape: { ratePerSecond: 1, burst: 3 }, now: time.now, logger: recordingLogger().logger });

    records.trouble = { how: 'fails' };
    expect((await waitsOf(sut, 'k', 3)).sort((x, y) => x - y)).toEqual([1_000, 2_000, 3_000]);
    records.trouble = undefined;
    time.advance(FALLBACK_HOLD_MS);
    expect(await waitsOf(sut, 'k', 1)).toEqual([0]);
    time.advance(60_000);

    records.trouble = { how: 'fails' };
    expect(await waitsOf(sut, 'k', 1)).toEqual([1_000]);
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
    expect(answered).toBe(1_000);
    expect((await sut.take('k')).waitMs).toBeGreaterThan(1_000);
  });

  it('should refuse a take whose shared bucket other replicas keep changing, taking no token and limiting nothing in-process, and leave other keys alone', async () => {
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const records = new FlakyKvRecords();
    records.trouble = { how: 'contended', keys: (key) => key === 'host-hot' };
    const sut = new SharedRateLimiter({ records, keyPrefix: 'host', shape, now: time.now, logger });

    const refused = await sut.take('hot').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitContendedError);
    expect((refused as RateLimitContendedError).retryInMs).toBeGreaterThanOrEqual(CONTENDED_RETRY_MS);
    expect((refused as RateLimitContendedError).retryInMs).toBeLessThanOrEqual(2 * CONTENDED_RETRY_MS);
    expect((refused as Error).message).toMatch(/host hot/);
    await expect(sut.take('hot')).rejects.toBeInstanceOf(RateLimitContendedError);
    expect((await sut.take('cold')).waitMs).toBe(0);
    expect(warnings).toEqual([]);

    records.trouble = undefined;
    expect((await sut.take('hot')).waitMs).toBe(0);
    expect(records.values.get('host-hot')).toEqual({ tokens: 0, at: time.now() });
  });

  it('should retry a give-back through conflicts and errors until it lands', async () => {
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const records = new FlakyKvRecords();
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, random: () => 0, logger });
    const [first, second] = [await sut.take('k'), await sut.take('k')];

    records.trouble = { how: 'fails', times: 3 };
    await second!.giveBack();
    records.trouble = { how: 'contended', times: 1 };
    await first!.giveBack();

    expect(records.values.get('account-k')).toEqual({ tokens: 1, at: time.now() });
    expect(warnings).toEqual([]);
  });

  it('should answer a give-back when KV fails until its deadline, and warn about tokens it could not give back at most once a minute', async () => {
    vi.useFakeTimers();
    const time = clock();
    const { warnings, logger } = recordingLogger();
    const records = new FlakyKvRecords();
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger });
    const taken = await Promise.all([sut.take('k'), sut.take('k'), sut.take('k')]);
    records.trouble = { how: 'fails' };
    const giveBack = async (n: number): Promise<void> => {
      let answered = false;
      const given = taken[n]!.giveBack().then(() => void (answered = true));
      await vi.advanceTimersByTimeAsync(GIVE_BACK_DEADLINE_MS);
      await given;
      expect(answered).toBe(true);
    };

    await giveBack(0);
    await giveBack(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/account send rate limit: 1 token\(s\) could not be given back.*no responders/);
    time.advance(60_000);
    await giveBack(2);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/2 token\(s\)/);
  });

  it('should give back the token of a take it stopped waiting for, once that write lands after all', async () => {
    vi.useFakeTimers();
    const time = clock();
    const records = new FlakyKvRecords();
    const sut = new SharedRateLimiter({ records, keyPrefix: 'account', shape, now: time.now, logger: recordingLogger().logger });
    records.trouble = { how: 'hangs', times: 1 };
    const taken = sut.take('k');
    await vi.advanceTimersByTimeAsync(SHARED_TAKE_DEADLINE_MS);
    expect((await taken).waitMs).toBe(1_000);

    records.landHeld();
    await vi.advanceTimersByTimeAsync(0);

    expect(records.values.get('account-k')).toEqual({ tokens: 1, at: time.now() });
  });
});
