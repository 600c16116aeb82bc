import { describe, expect, it } from 'vitest';
import { devApiTokens } from './dev-api-tokens.util';

const devToken = 'dev-token-0123456789';

describe(devApiTokens.name, () => {
  it('should make the dev token the admin token when none is configured', () => {
    expect(devApiTokens({ configured: undefined, devToken })).toBe(`admin:${devToken}`);
    expect(devApiTokens({ configured: ' ', devToken })).toBe(`admin:${devToken}`);
  });

  it('should keep configured tokens and add the dev token', () => {
    expect(devApiTokens({ configured: 'app:app-token-0123456789,', devToken })).toBe(`app:app-token-0123456789,admin:${devToken}`);
  });

  it('should not list the dev token twice', () => {
    expect(devApiTokens({ configured: `app:${devToken}`, devToken })).toBe(`app:${devToken}`);
  });
});
