/**
 * NATS subject-filter semantics: `*` matches exactly one token, a final `>` one or more tokens.
 * Lets code check, without a server, that a subject lands on the stream meant to hold it.
 * @example subjectMatchesFilter({ subject: 'mailbus.v1.message.fetched', filter: 'mailbus.v1.>' }) // true
 */
export function subjectMatchesFilter({ subject, filter }: { subject: string; filter: string }): boolean {
  const tokens = subject.split('.');
  const filterTokens = filter.split('.');
  for (const [index, token] of filterTokens.entries()) {
    if (token === '>') return index === filterTokens.length - 1 && tokens.length > index;
    if (index >= tokens.length || (token !== '*' && token !== tokens[index])) return false;
  }
  return tokens.length === filterTokens.length;
}
