import { describe, expect, it } from 'vitest';
import { parseApiTokens } from './api-tokens.util';

describe(parseApiTokens.name, () => {
  it('should read role:token pairs, several per role, keeping colons inside a token', () => {
    expect(parseApiTokens(' admin:aaaaaaaaaaaaaaaa, app:bbbbbbbbbbbbbbbb,app:cccccccccccccccc:with-colon ')).toEqual({
      tokens: [
        { role: 'admin', token: 'aaaaaaaaaaaaaaaa' },
        { role: 'app', token: 'bbbbbbbbbbbbbbbb' },
        { role: 'app', token: 'cccccccccccccccc:with-colon' },
      ],
      problems: [],
    });
  });

  it.each(['', ' ', ',,'])('should find no tokens and no problems in %j', (value) => {
    expect(parseApiTokens(value)).toEqual({ tokens: [], problems: [] });
  });

  it('should name bad entries by position and never echo a token', () => {
    const { tokens, problems } = parseApiTokens('root:aaaaaaaaaaaaaaaa,app:short-secret,notoken,Admin:dddddddddddddddd,app:has space in it xx,:eeeeeeeeeeeeeeee');
    expect(tokens).toEqual([]);
    expect(problems).toEqual([
      'entry 1 must be role:token with role admin or app',
      'entry 2 (app) needs a token of at least 16 characters without spaces',
      'entry 3 must be role:token with role admin or app',
      'entry 4 must be role:token with role admin or app',
      'entry 5 (app) needs a token of at least 16 characters without spaces',
      'entry 6 must be role:token with role admin or app',
    ]);
    for (const secret of ['aaaaaaaaaaaaaaaa', 'short-secret', 'notoken', 'dddddddddddddddd', 'has space', 'eeeeeeeeeeeeeeee']) expect(problems.join()).not.toContain(secret);
  });

  it('should refuse a token listed twice, since under two roles it would be ambiguous', () => {
    const { problems } = parseApiTokens('admin:ffffffffffffffff,app:gggggggggggggggg,app:ffffffffffffffff');
    expect(problems).toEqual(['entry 3 (app) repeats the token of entry 1']);
  });
});
