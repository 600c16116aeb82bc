import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_AHEAD_MS, assertTokenBucketShape, refillTokenBucket, returnToken, takeToken, type TokenBucket } from './rate-limiter';

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

/** One key's bucket taken from in turn, as SharedRateLimiter does through NATS KV. */
const bucketOf = (shape: { ratePerSecond: number; burst: number }, time: ReturnType<typeof clock>) => {
  let bucket: TokenBucket | undefined;
  return {
    take: (): number => {
      const taken = takeToken({ bucket, now: time.now(), shape });
      bucket = taken.bucket;
      return taken.waitMs;
    },
    giveBack: (): void => {
      bucket = returnToken({ bucket, now: time.now(), shape });
    },
  };
};

describe('a token bucket taken from in turn', () => {
  it('should let a burst through at once, then space the takes at the rate', () => {
    const sut = bucketOf({ ratePerSecond: 2, burst: 3 }, clock());
    expect([1, 2, 3, 4, 5, 6].map(() => sut.take())).toEqual([0, 0, 0, 500, 1_000, 1_500]);
  });

  it('should refill the bucket with time, up to its size', () => {
    const time = clock();
    const sut = bucketOf({ ratePerSecond: 2, burst: 3 }, time);
    [1, 2, 3].forEach(() => sut.take());
    time.advance(500);
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBe(500);
    time.advance(60_000);
    expect([1, 2, 3, 4].map(() => sut.take())).toEqual([0, 0, 0, 500]);
  });

  it('should count waiting callers in arrival order when they keep coming during the wait', () => {
    const time = clock();
    const sut = bucketOf({ ratePerSecond: 10, burst: 1 }, time);
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBe(100);
    time.advance(50);
    expect(sut.take()).toBe(150);
  });

  it('should not drain a bucket when the clock steps back', () => {
    const time = clock();
    const sut = bucketOf({ ratePerSecond: 1, burst: 2 }, time);
    expect(sut.take()).toBe(0);
    time.advance(-10_000);
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBe(1_000);
  });

  it('should let the next caller through at once when a waiting caller gave its token back', () => {
    const time = clock();
    const sut = bucketOf({ ratePerSecond: 1, burst: 1 }, time);
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBe(1_000);
    sut.giveBack();
    time.advance(1_000);
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBe(1_000);
  });

  it.each([[{ ratePerSecond: 0, burst: 1 }], [{ ratePerSecond: 1, burst: 0 }], [{ ratePerSecond: Number.NaN, burst: 1 }]])('should refuse a shape that could never pass a token: %o', (shape) => {
    expect(() => assertTokenBucketShape(shape)).toThrow(RangeError);
  });
});

/** The arithmetic SharedRateLimiter applies to a bucket stored in NATS KV, written by replicas with their own clocks. */
describe('token bucket arithmetic', () => {
  const shape = { ratePerSecond: 1, burst: 2 };

  it('should start a key with a full bucket and reserve tokens past it with the wait for each', () => {
    let bucket = takeToken({ bucket: undefined, now: 0, shape });
    expect(bucket).toEqual({ bucket: { tokens: 1, at: 0 }, waitMs: 0 });
    bucket = takeToken({ bucket: bucket.bucket, now: 0, shape });
    bucket = takeToken({ bucket: bucket.bucket, now: 0, shape });
    expect(bucket).toEqual({ bucket: { tokens: -1, at: 0 }, waitMs: 1_000 });
  });

  it('should refill nothing for a reader whose clock is behind the last writer, and keep the writer\'s time', () => {
    const written = { tokens: 0, at: 10_000 };
    expect(refillTokenBucket({ bucket: written, now: 10_000 - MAX_CLOCK_AHEAD_MS, shape })).toEqual(written);
    expect(refillTokenBucket({ bucket: written, now: 11_000, shape })).toEqual({ tokens: 1, at: 11_000 });
  });

  it('should not let a bucket time far ahead of the reader (a wrong clock) stop the key for longer than MAX_CLOCK_AHEAD_MS', () => {
    const fromTheFuture = { tokens: 0, at: 3_600_000 };
    const now = 0;
    const refilled = refillTokenBucket({ bucket: fromTheFuture, now, shape });
    expect(refilled).toEqual({ tokens: 0, at: MAX_CLOCK_AHEAD_MS });
    expect(refillTokenBucket({ bucket: refilled, now: MAX_CLOCK_AHEAD_MS + 1_000, shape }).tokens).toBe(1);
  });

  it('should cap a stored bucket at a burst lowered since it was written', () => {
    expect(refillTokenBucket({ bucket: { tokens: 20, at: 0 }, now: 0, shape }).tokens).toBe(2);
  });

  it('should give a token back no further than a full bucket', () => {
    expect(returnToken({ bucket: { tokens: -1, at: 0 }, now: 0, shape })).toEqual({ tokens: 0, at: 0 });
    expect(returnToken({ bucket: { tokens: 2, at: 0 }, now: 0, shape })).toEqual({ tokens: 2, at: 0 });
  });
});
