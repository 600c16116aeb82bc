/**
 * The Date header of a header block (TOP n 0), unfolded (RFC 5322 §2.2.3); undefined when it is
 * missing or not a date. Only used to compare two messages, so the parser's tolerance is enough.
 */
export function dateHeader(header: Buffer | string): Date | undefined {
  const lines = (typeof header === 'string' ? header : header.toString('latin1')).split(/\r?\n/);
  const start = lines.findIndex((line) => /^date\s*:/i.test(line));
  if (start === -1) return undefined;
  let value = lines[start]!.replace(/^date\s*:/i, '');
  for (const line of lines.slice(start + 1)) {
    if (!/^[ \t]/.test(line)) break;
    value += line;
  }
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Rule 20: servers usually list oldest first (highest number = newest), some newest first. Compares
 * the Date headers of the first and last new messages as ONLYOFFICE does; only a clear sign of
 * newest-first (the first is later than the last) turns the default around, so missing or equal
 * dates keep highest-number-first.
 */
export const listsNewestFirst = ({ first, last }: { first?: Date; last?: Date }): boolean => first !== undefined && last !== undefined && first.getTime() > last.getTime();

/** Is it worth the two TOP commands? Only when the budget cuts the new messages, so a normal run pays nothing. */
export const needsOrderDetection = ({ fresh, budget }: { fresh: number; budget: number }): boolean => fresh >= 2 && fresh > budget;

/**
 * The new messages to fetch this run, newest first: `fresh` in listing order (ascending message
 * numbers). `rank` puts some after the others (lowest first, newest first within a rank): messages
 * that failed before come last, since one the server drops the connection on costs a reconnect each
 * time and a run has only so many (MAX_RECONNECTS_PER_RUN); retried first, a few of them would keep
 * the healthy mail waiting run after run.
 */
export function pickBatch<T>({ fresh, budget, newestFirst, rank = () => 0 }: { fresh: readonly T[]; budget: number; newestFirst: boolean; rank?: (message: T) => number }): T[] {
  const ordered = newestFirst ? [...fresh] : [...fresh].reverse();
  // Array.prototype.sort is stable: newest first stays within a rank.
  return ordered.sort((a, b) => rank(a) - rank(b)).slice(0, Math.max(budget, 0));
}
