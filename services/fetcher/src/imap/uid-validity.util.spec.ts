import { describe, expect, it } from 'vitest';
import { isFlapping } from './uid-validity.util';

const hoursAgo = (hours: number) => new Date(Date.UTC(2026, 10, 22, 12) - hours * 3_600_000);

describe('isFlapping', () => {
  it('should accept one or two changes a day (a mailbox rebuilt, then rebuilt again)', () => {
    expect(isFlapping([hoursAgo(0)])).toBe(false);
    expect(isFlapping([hoursAgo(5), hoursAgo(0)])).toBe(false);
  });

  it('should call three changes within 24 hours flapping', () => {
    expect(isFlapping([hoursAgo(23), hoursAgo(10), hoursAgo(0)])).toBe(true);
  });

  it('should forget changes older than a day', () => {
    expect(isFlapping([hoursAgo(30), hoursAgo(10), hoursAgo(0)])).toBe(false);
  });
});
