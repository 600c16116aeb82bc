import { describe, expect, it } from 'vitest';
import { skipComment, withoutComments } from './header-comments.util';

describe(skipComment.name, () => {
  it.each([
    ['(a) b', 0, 2],
    ['(a (b) c) d', 0, 8],
    ['(a \\) b) c', 0, 7],
    ['x (unclosed', 2, 10],
  ])('should find the end of the comment in %j', (value, start, expected) => {
    expect(skipComment({ value, start })).toBe(expected);
  });
});

describe(withoutComments.name, () => {
  it('should replace each comment by one space', () => {
    expect(withoutComments('by mx (Postfix, for (x)) with ESMTP')).toBe('by mx   with ESMTP');
  });
});
