import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './page-cursor.util';

describe('page cursor', () => {
  it('should give back the position it encoded', () => {
    const position = { receivedAt: new Date('2026-11-30T10:00:00.123Z'), id: `d${'a'.repeat(32)}` };

    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['', 'not-a-cursor', Buffer.from('12.x').toString('base64url'), Buffer.from(`abc.d${'a'.repeat(32)}`).toString('base64url'), Buffer.from(`1.d${'a'.repeat(32)}.2`).toString('base64url')])('should refuse %j', (cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
