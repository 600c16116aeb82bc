import { describe, expect, it } from 'vitest';
import { failuresListedPerFolder, listedFailures, listedPop3Failures } from './listed-failures.util';

const failure = (uid: number, at: string) => ({ uid, attempts: 5, error: `no content for UID ${uid}`, at: new Date(at) });

describe('listedFailures', () => {
  it('adds nothing to a folder without failures', () => {
    expect(listedFailures(undefined)).toEqual({});
    expect(listedFailures([])).toEqual({});
  });

  it('lists the most recently tried first, with ISO times', () => {
    const listed = listedFailures([failure(7, '2026-12-01T10:00:00Z'), failure(3, '2026-12-02T10:00:00Z')]);
    expect(listed).toEqual({
      failedMessages: [
        { uid: 3, attempts: 5, error: 'no content for UID 3', at: '2026-12-02T10:00:00.000Z' },
        { uid: 7, attempts: 5, error: 'no content for UID 7', at: '2026-12-01T10:00:00.000Z' },
      ],
      failedMessageCount: 2,
    });
  });

  it('caps the list and still counts every failure, so one NATS reply holds any folder', () => {
    const many = Array.from({ length: 20_000 }, (_, index) => failure(index + 1, new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString()));
    const listed = listedFailures(many, 50);
    expect(listed.failedMessageCount).toBe(20_000);
    expect(listed.failedMessages?.map(({ uid }) => uid)).toEqual(Array.from({ length: 50 }, (_, index) => 20_000 - index));
    expect(JSON.stringify(listed).length).toBeLessThan(10_000);
  });

  it('lists fewer per folder when many folders have failures, so that the account stays within about 1,000', () => {
    expect(failuresListedPerFolder(1)).toBe(50);
    expect(failuresListedPerFolder(20)).toBe(50);
    expect(failuresListedPerFolder(200)).toBe(5);
    expect(failuresListedPerFolder(5000)).toBe(1);
  });
});

describe('listedPop3Failures', () => {
  it('should list POP3 failures by UIDL, the most recently tried first, with whether each is given up', () => {
    expect(listedPop3Failures(undefined)).toEqual({});
    const listed = listedPop3Failures([
      { uidl: 'old', attempts: 5, error: 'dropped (attempt 5 of 5; given up)', at: new Date('2026-12-01T10:00:00Z'), givenUp: true },
      { uidl: 'new', attempts: 1, error: 'refused (attempt 1 of 5)', at: new Date('2026-12-02T10:00:00Z') },
    ]);
    expect(listed).toEqual({
      failedMessages: [
        { uidl: 'new', attempts: 1, error: 'refused (attempt 1 of 5)', at: '2026-12-02T10:00:00.000Z', givenUp: false },
        { uidl: 'old', attempts: 5, error: 'dropped (attempt 5 of 5; given up)', at: '2026-12-01T10:00:00.000Z', givenUp: true },
      ],
      failedMessageCount: 2,
    });
  });
});
