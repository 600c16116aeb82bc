import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff-delay.util';

describe(backoffDelay.name, () => {
  it('should double the step with each attempt when below the cap', () => {
    const steps = [1, 2, 3, 4].map((attempt) => backoffDelay({ attempt, initialMs: 100, maxMs: 10_000, random: () => 1 }));

    expect(steps).toEqual([100, 200, 400, 800]);
  });

  it('should never exceed the cap when attempts grow large', () => {
    expect(backoffDelay({ attempt: 60, initialMs: 100, maxMs: 5000, random: () => 1 })).toBe(5000);
  });

  it('should keep half of the step fixed when the random part is zero', () => {
    expect(backoffDelay({ attempt: 3, initialMs: 100, maxMs: 10_000, random: () => 0 })).toBe(200);
  });
});
