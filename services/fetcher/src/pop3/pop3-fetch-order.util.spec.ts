import { describe, expect, it } from 'vitest';
import { dateHeader, listsNewestFirst, needsOrderDetection, pickBatch } from './pop3-fetch-order.util';

describe(dateHeader.name, () => {
  it('should read the Date header, whatever its case, and unfold it', () => {
    expect(dateHeader('From: a@example.com\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n')).toEqual(new Date('2026-11-22T10:00:00Z'));
    expect(dateHeader(Buffer.from('DATE: Sun, 22 Nov 2026\r\n 10:00:00 +0100\r\nSubject: x\r\n\r\n'))).toEqual(new Date('2026-11-22T09:00:00Z'));
    expect(dateHeader('date:Mon, 23 Nov 2026 08:00:00 -0500 (EST)\n\n')).toEqual(new Date('2026-11-23T13:00:00Z'));
  });

  it('should give undefined for a missing or unreadable Date', () => {
    expect(dateHeader('Subject: no date\r\n\r\n')).toBeUndefined();
    expect(dateHeader('Date: yesterday-ish\r\n\r\n')).toBeUndefined();
    expect(dateHeader('X-Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n')).toBeUndefined();
  });
});

describe(listsNewestFirst.name, () => {
  const older = new Date('2026-01-01T00:00:00Z');
  const newer = new Date('2026-02-01T00:00:00Z');

  it('should say newest first only when the first new message is later than the last', () => {
    expect(listsNewestFirst({ first: newer, last: older })).toBe(true);
    expect(listsNewestFirst({ first: older, last: newer })).toBe(false);
    expect(listsNewestFirst({ first: older, last: older })).toBe(false);
  });

  it('should keep the default (oldest first) when a date is missing', () => {
    expect(listsNewestFirst({ first: newer })).toBe(false);
    expect(listsNewestFirst({ last: older })).toBe(false);
  });
});

describe(needsOrderDetection.name, () => {
  it('should look at dates only when the budget cuts at least two new messages', () => {
    expect(needsOrderDetection({ fresh: 5, budget: 3 })).toBe(true);
    expect(needsOrderDetection({ fresh: 2, budget: 1 })).toBe(true);
    expect(needsOrderDetection({ fresh: 3, budget: 3 })).toBe(false);
    expect(needsOrderDetection({ fresh: 1, budget: 0 })).toBe(false);
  });
});

describe(pickBatch.name, () => {
  it('should take the highest message numbers first by default', () => {
    expect(pickBatch({ fresh: [1, 2, 3, 4], budget: 2, newestFirst: false })).toEqual([4, 3]);
  });

  it('should take the lowest message numbers first on a server that lists newest first', () => {
    expect(pickBatch({ fresh: [1, 2, 3, 4], budget: 2, newestFirst: true })).toEqual([1, 2]);
  });

  it('should take everything when the budget allows, and nothing for a budget of 0', () => {
    expect(pickBatch({ fresh: [1, 2], budget: 10, newestFirst: false })).toEqual([2, 1]);
    expect(pickBatch({ fresh: [1, 2], budget: 0, newestFirst: false })).toEqual([]);
  });

  it('should take lower ranks first (messages that failed before last), newest first within a rank, and leave the last rank out first when the budget is short', () => {
    const ranks = new Map([
      [4, 2],
      [2, 2],
      [3, 1],
    ]);
    const rank = (n: number) => ranks.get(n) ?? 0;
    expect(pickBatch({ fresh: [1, 2, 3, 4, 5], budget: 10, newestFirst: false, rank })).toEqual([5, 1, 3, 4, 2]);
    expect(pickBatch({ fresh: [1, 2, 3, 4, 5], budget: 4, newestFirst: false, rank })).toEqual([5, 1, 3, 4]);
    expect(pickBatch({ fresh: [1, 2, 3, 4, 5], budget: 10, newestFirst: true, rank })).toEqual([1, 5, 3, 2, 4]);
  });
});
