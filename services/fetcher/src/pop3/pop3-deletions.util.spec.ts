import { describe, expect, it } from 'vitest';
import { messagesToDelete } from './pop3-deletions.util';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const daysAgo = (days: number): { fetchedAt: Date } => ({ fetchedAt: new Date(NOW - days * 86_400_000) });
const message = (number: number, key: string, siblings: string[] = []) => ({ number, key, siblings });

describe(messagesToDelete.name, () => {
  it('should delete what is stored (before or by this run) and nothing else when not leaving mail on the server', () => {
    const sut = messagesToDelete({
      messages: [message(1, 'old'), message(2, 'new'), message(3, 'skipped')],
      stored: new Map([['old', daysAgo(1)]]),
      fetchedNow: new Set(['new']),
      leaveOnServer: false,
      deleteAfterDays: 0,
      now: NOW,
    });
    expect(sut).toEqual([1, 2]);
  });

  it('should delete nothing with leaveOnServer and no deleteAfterDays', () => {
    expect(messagesToDelete({ messages: [message(1, 'a')], stored: new Map([['a', daysAgo(400)]]), fetchedNow: new Set(), leaveOnServer: true, deleteAfterDays: 0, now: NOW })).toEqual([]);
  });

  it('should delete with leaveOnServer only what was first fetched deleteAfterDays ago or earlier', () => {
    const sut = messagesToDelete({
      messages: [message(1, 'expired'), message(2, 'exactly'), message(3, 'recent'), message(4, 'fresh')],
      stored: new Map([
        ['expired', daysAgo(30)],
        ['exactly', daysAgo(7)],
        ['recent', daysAgo(6)],
      ]),
      fetchedNow: new Set(['fresh']),
      leaveOnServer: true,
      deleteAfterDays: 7,
      now: NOW,
    });
    expect(sut).toEqual([1, 2]);
  });

  it('should keep identical copies (content keys) until every one of them is stored', () => {
    const messages = [message(1, 'h', ['h#2']), message(2, 'h#2', ['h'])];
    expect(messagesToDelete({ messages, stored: new Map(), fetchedNow: new Set(['h']), leaveOnServer: false, deleteAfterDays: 0, now: NOW })).toEqual([]);
    expect(messagesToDelete({ messages, stored: new Map([['h', daysAgo(0)]]), fetchedNow: new Set(['h#2']), leaveOnServer: false, deleteAfterDays: 0, now: NOW })).toEqual([1, 2]);
  });

  it('should delete with leaveOnServer what users asked to delete, when it is stored, before deleteAfterDays', () => {
    const sut = messagesToDelete({
      messages: [message(1, 'asked'), message(2, 'kept'), message(3, 'asked-unstored'), message(4, 'copy', ['copy#2']), message(5, 'copy#2', ['copy'])],
      stored: new Map([
        ['asked', daysAgo(1)],
        ['kept', daysAgo(1)],
        ['copy', daysAgo(1)],
      ]),
      fetchedNow: new Set(),
      leaveOnServer: true,
      deleteAfterDays: 30,
      now: NOW,
      requested: new Set(['asked', 'asked-unstored', 'copy']),
    });
    // An unstored message is never deleted, and an identical copy waits until its sibling is stored too.
    expect(sut).toEqual([1]);
  });
});
