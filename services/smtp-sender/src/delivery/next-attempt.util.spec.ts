import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_SEND_HORIZON_MS, nextAttempt } from './next-attempt.util';

const firstAttemptAt = new Date('2025-03-01T10:00:00Z');
const minutes = (n: number) => n * 60_000;
const after = (ms: number) => new Date(firstAttemptAt.getTime() + ms);
const almostOne = () => 0.999_999;

describe(nextAttempt.name, () => {
  it('should double the delay ceiling with each attempt when random is at its top', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => {
      const next = nextAttempt({ attempt, firstAttemptAt, now: firstAttemptAt, random: almostOne });
      return 'at' in next ? Math.round((next.at.getTime() - firstAttemptAt.getTime()) / 1_000) : undefined;
    });
    expect(delays).toEqual([60, 120, 240, 480, 960]);
  });

  it('should draw the delay anywhere between zero and the ceiling (full jitter)', () => {
    expect(nextAttempt({ attempt: 3, firstAttemptAt, now: firstAttemptAt, random: () => 0 })).toEqual({ at: firstAttemptAt });
    expect(nextAttempt({ attempt: 3, firstAttemptAt, now: firstAttemptAt, random: () => 0.5 })).toEqual({ at: after(minutes(2)) });
  });

  it('should cap the delay when many attempts have failed', () => {
    const now = after(minutes(10));
    expect(nextAttempt({ attempt: 40, firstAttemptAt, now, random: () => 0.5 })).toEqual({ at: new Date(now.getTime() + DEFAULT_RETRY_MAX_DELAY_MS / 2) });
    expect(nextAttempt({ attempt: 5_000, firstAttemptAt, now, random: () => 0.5 })).toEqual({ at: new Date(now.getTime() + DEFAULT_RETRY_MAX_DELAY_MS / 2) });
  });

  it('should move the last retry forward to the horizon when the delay would pass it', () => {
    const now = after(DEFAULT_SEND_HORIZON_MS - minutes(5));
    expect(nextAttempt({ attempt: 30, firstAttemptAt, now, random: almostOne })).toEqual({ at: after(DEFAULT_SEND_HORIZON_MS) });
  });

  it('should give up when the horizon is reached', () => {
    expect(nextAttempt({ attempt: 30, firstAttemptAt, now: after(DEFAULT_SEND_HORIZON_MS), random: almostOne })).toEqual({ giveUp: true });
  });

  it('should use the given horizon, base and cap when they are set', () => {
    const options = { firstAttemptAt, horizonMs: minutes(30), baseMs: 1_000, maxDelayMs: 5_000, random: almostOne };
    expect(nextAttempt({ ...options, attempt: 2, now: firstAttemptAt })).toEqual({ at: after(1_999) });
    expect(nextAttempt({ ...options, attempt: 9, now: firstAttemptAt })).toEqual({ at: after(4_999) });
    expect(nextAttempt({ ...options, attempt: 9, now: after(minutes(30)) })).toEqual({ giveUp: true });
  });

  it('should treat attempt 0 like the first attempt', () => {
    expect(nextAttempt({ attempt: 0, firstAttemptAt, now: firstAttemptAt, random: () => 0.5 })).toEqual({ at: after(30_000) });
  });
});
