export const API_ROLES = ['admin', 'app'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiToken {
  role: ApiRole;
  token: string;
}

const MIN_TOKEN_LENGTH = 16;

/**
 * `MAILBUS_API_TOKENS`: `role:token` pairs, comma-separated, e.g. `admin:…,app:…`. Several tokens
 * per role allow rotation without downtime. A token listed twice is refused: under two roles it
 * would be ambiguous. Errors name the entry's position, never the token.
 * @returns the tokens, or the problems found
 * @example parseApiTokens('admin:<32 random characters>,app:<32 others>')
 */
export function parseApiTokens(value: string): { tokens: ApiToken[]; problems: string[] } {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  const positionByToken = new Map<string, number>();
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const role = entry.slice(0, Math.max(colon, 0));
      const token = entry.slice(colon + 1);
      if (colon === -1 || !(API_ROLES as readonly string[]).includes(role)) problems.push(`entry ${index + 1} must be role:token with role admin or app`);
      else if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) problems.push(`entry ${index + 1} (${role}) needs a token of at least ${MIN_TOKEN_LENGTH} characters without spaces`);
      else if (positionByToken.has(token)) problems.push(`entry ${index + 1} (${role}) repeats the token of entry ${positionByToken.get(token)}`);
      else {
        positionByToken.set(token, index + 1);
        tokens.push({ role: role as ApiRole, token });
      }
    });
  return { tokens, problems };
}
