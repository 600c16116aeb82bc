import { describe, expect, it } from 'vitest';
import { matchUidls } from './match-uidls.util';

describe(matchUidls.name, () => {
  it('should map each wanted UIDL to its message number once and report the unknown ones', () => {
    const listing = [
      { number: 1, uid: 'a' },
      { number: 2, uid: 'b' },
      { number: 3, uid: 'c' },
    ];
    expect(matchUidls({ listing, uidls: ['c', 'x', 'a', 'c'] })).toEqual({
      found: [
        { number: 3, uid: 'c' },
        { number: 1, uid: 'a' },
      ],
      missing: ['x'],
    });
  });
});
