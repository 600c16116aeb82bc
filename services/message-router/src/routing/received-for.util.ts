import { withoutComments } from './header-comments.util';

// The FOR clause of a trace line (RFC 5321 §4.4: `For = CFWS "FOR" FWS ( Path / Mailbox )`).
const FOR_CLAUSE = /(?:^|\s)for\s+<?\s*([^\s<>;,]+)/i;

/**
 * The envelope recipient a `Received:` line names in its `for` clause, as written (not validated);
 * undefined when the line has none. Comments are removed first, so `(… for …)` inside one does not
 * count, and only the text before the last `;` (the date follows it) is searched.
 * @example receivedForAddress('from a by mx.example.com (Postfix) with ESMTPS id 4F for <anna@example.com>; Tue, 4 Mar 2025 10:00:00 +0100') // 'anna@example.com'
 */
export function receivedForAddress(value: string): string | undefined {
  const lastSemicolon = value.lastIndexOf(';');
  const clauses = withoutComments(lastSemicolon === -1 ? value : value.slice(0, lastSemicolon));
  const path = FOR_CLAUSE.exec(clauses)?.[1];
  if (!path) return undefined;
  return path.slice(path.lastIndexOf(':') + 1); // drop an obsolete source route `@relay:`
}
