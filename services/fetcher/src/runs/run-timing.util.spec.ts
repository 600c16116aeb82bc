import { describe, expect, it } from 'vitest';
import { nextRegularRun, nextRunAfterFailure } from './run-timing.util';

const now = Date.UTC(2026, 10, 22, 12);
const middle = () => 0.5;

describe('run timing', () => {
  it('should run again after the interval, spread by at most ±10 %', () => {
    expect(nextRegularRun({ now, intervalSeconds: 300, random: middle }).getTime() - now).toBe(300_000);
    expect(nextRegularRun({ now, intervalSeconds: 300, random: () => 0 }).getTime() - now).toBe(270_000);
    expect(nextRegularRun({ now, intervalSeconds: 300, random: () => 1 }).getTime() - now).toBe(330_000);
  });

  it('should back off exponentially after failures, never sooner than the interval, at most 4 hours', () => {
    const delays = [1, 2, 3, 4, 12].map((failures) => nextRunAfterFailure({ now, failures, intervalSeconds: 30, random: middle }).getTime() - now);
    expect(delays).toEqual([60_000, 120_000, 240_000, 480_000, 4 * 3_600_000]);
    expect(nextRunAfterFailure({ now, failures: 1, intervalSeconds: 600, random: middle }).getTime() - now).toBe(600_000);
  });
});
