/**
 * MAILBUS_API_TOKENS for a local run: the operator's tokens, if any, plus the run's dev token as
 * admin, so the token `npm start` prints always works. Not added when the operator already listed
 * it (the api refuses a token listed twice).
 * @example devApiTokens({ configured: undefined, devToken: 'x…' }) // 'admin:x…'
 */
export function devApiTokens({ configured, devToken }: { configured?: string; devToken: string }): string {
  const entries = (configured ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const listed = entries.some((entry) => entry.slice(entry.indexOf(':') + 1) === devToken);
  return (listed ? entries : [...entries, `admin:${devToken}`]).join(',');
}
