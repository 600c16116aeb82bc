import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe(RateLimiter.name, () => {
  it('should let a burst through at once, then space the takes at the rate', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 2, burst: 3, now: time.now });
    expect([1, 2, 3, 4, 5, 6].map(() => sut.take('acc-1'))).toEqual([0, 0, 0, 500, 1_000, 1_500]);
  });

  it('should refill the bucket with time, up to its size', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 2, burst: 3, now: time.now });
    [1, 2, 3].forEach(() => sut.take('acc-1'));
    time.advance(500);
    expect(sut.take('acc-1')).toBe(0);
    expect(sut.take('acc-1')).toBe(500);
    time.advance(60_000);
    expect([1, 2, 3, 4].map(() => sut.take('acc-1'))).toEqual([0, 0, 0, 500]);
  });

  it('should keep keys apart', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 1, burst: 1, now: time.now });
    expect(sut.take('smtp.example.com')).toBe(0);
    expect(sut.take('smtp.example.org')).toBe(0);
    expect(sut.take('smtp.example.com')).toBe(1_000);
  });

  it('should count waiting callers in arrival order when they keep coming during the wait', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 10, burst: 1, now: time.now });
    expect(sut.take('k')).toBe(0);
    expect(sut.take('k')).toBe(100);
    time.advance(50);
    expect(sut.take('k')).toBe(150);
  });

  it('should not drain a bucket when the clock steps back', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 1, burst: 2, now: time.now });
    expect(sut.take('k')).toBe(0);
    time.advance(-10_000);
    expect(sut.take('k')).toBe(0);
    expect(sut.take('k')).toBe(1_000);
  });

  it('should let the next caller through at once when a waiting caller gave its token back', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 1, burst: 1, now: time.now });
    expect(sut.take('k')).toBe(0);
    expect(sut.take('k')).toBe(1_000);
    sut.giveBack('k');
    time.advance(1_000);
    expect(sut.take('k')).toBe(0);
    expect(sut.take('k')).toBe(1_000);
  });

  it('should forget idle keys whose bucket is full again', () => {
    const time = clock();
    const sut = new RateLimiter({ ratePerSecond: 1, burst: 1, now: time.now });
    for (let n = 0; n < 1_000; n += 1) sut.take(`acc-${n}`);
    time.advance(5_000);
    for (let n = 0; n < 24; n += 1) sut.take('busy');
    expect(sut.size).toBe(1);
  });

  it.each([[{ ratePerSecond: 0, burst: 1 }], [{ ratePerSecond: 1, burst: 0 }], [{ ratePerSecond: Number.NaN, burst: 1 }]])('should refuse options that could never pass a token: %o', (options) => {
    expect(() => new RateLimiter(options)).toThrow(RangeError);
  });
});
