import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff-delay.util';

describe(backoffDelay.name, () => {
  it('should double the step per attempt and keep half of it fixed when jitter is at its extremes', () => {
    expect(backoffDelay({ attempt: 1, initialMs: 250, maxMs: 10_000, random: () => 0 })).toBe(125);
    expect(backoffDelay({ attempt: 1, initialMs: 250, maxMs: 10_000, random: () => 1 })).toBe(250);
    expect(backoffDelay({ attempt: 3, initialMs: 250, maxMs: 10_000, random: () => 0 })).toBe(500);
    expect(backoffDelay({ attempt: 3, initialMs: 250, maxMs: 10_000, random: () => 1 })).toBe(1000);
  });

  it('should never exceed the cap when the attempts grow large', () => {
    expect(backoffDelay({ attempt: 60, initialMs: 250, maxMs: 10_000, random: () => 1 })).toBe(10_000);
    expect(backoffDelay({ attempt: 0, initialMs: 250, maxMs: 10_000, random: () => 1 })).toBe(250);
  });
});
