import { describe, expect, it } from 'vitest';
import { nextReconnect, STABLE_CONNECTION_MS } from './idle-backoff.util';

const middle = () => 0.5;

describe('nextReconnect', () => {
  it('should double the delay with every short-lived connection, up to five minutes', () => {
    const delays: number[] = [];
    let failures = 0;
    for (let n = 0; n < 12; n += 1) {
      const next = nextReconnect({ failures, livedMs: 2_000, random: middle });
      failures = next.failures;
      delays.push(next.delayMs);
    }
    expect(delays.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(delays.at(-1)).toBe(300_000);
  });

  it('should not start over after a connection that logged in and dropped soon after', () => {
    expect(nextReconnect({ failures: 6, livedMs: 30_000, random: middle })).toEqual({ failures: 7, delayMs: 64_000 });
  });

  it('should start over after a connection that stayed up long enough', () => {
    expect(nextReconnect({ failures: 6, livedMs: STABLE_CONNECTION_MS, random: middle })).toEqual({ failures: 1, delayMs: 1_000 });
  });

  it('should spread delays by ±20 %', () => {
    expect(nextReconnect({ failures: 0, livedMs: 0, random: () => 0 }).delayMs).toBe(800);
    expect(nextReconnect({ failures: 0, livedMs: 0, random: () => 1 }).delayMs).toBe(1_200);
  });
});
