import type { HeaderLine, SpamVerdict } from './parsed-message.types';

type Reading = Omit<SpamVerdict, 'source'>;

const parseScore = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const score = Number.parseFloat(text);
  return Number.isFinite(score) ? score : undefined;
};

const yes = (value: string): boolean => /^\s*(yes|true|1)\b/i.test(value);

/** X-Spam-Status: `Yes, score=7.1 required=5.0 tests=…` (SpamAssassin, also `hits=`). */
const readSpamStatus = (value: string): Reading => ({ spam: yes(value), score: parseScore(/\b(?:score|hits)=(-?[\d.]+)/i.exec(value)?.[1]) });

/** X-Spamd-Result: `default: True [10.50 / 15.00]; SYMBOL(1.0)…` (Rspamd). */
const readSpamdResult = (value: string): Reading | undefined => {
  const match = /:\s*(true|false)\s*\[\s*(-?[\d.]+)/i.exec(value);
  return match ? { spam: match[1]!.toLowerCase() === 'true', score: parseScore(match[2]) } : undefined;
};

/** X-Rspamd-Action: only actions that deliver the message marked count; greylist and soft reject are temporary. */
const readRspamdAction = (value: string): Reading => ({ spam: /^\s*(add header|rewrite subject|reject)\s*$/i.test(value) });

/** Microsoft spam confidence level: -1 trusted, 0–4 clean, 5–9 spam. */
const readScl = (value: string): Reading | undefined => {
  const scl = parseScore(value.trim());
  return scl === undefined ? undefined : { spam: scl >= 5, score: scl };
};

/** X-Forefront-Antispam-Report: `…;SFV:SPM;…` spam; SKS (rule marked it spam) and SKB (blocked sender) also go to Junk. */
const readForefront = (value: string): Reading | undefined => {
  const sfv = /(?:^|;)\s*SFV:([A-Z]+)/i.exec(value)?.[1]?.toUpperCase();
  const scl = parseScore(/(?:^|;)\s*SCL:(-?\d+)/i.exec(value)?.[1]);
  if (sfv === undefined) return scl === undefined ? undefined : { spam: scl >= 5, score: scl };
  return { spam: ['SPM', 'SKS', 'SKB'].includes(sfv), score: scl };
};

/** Header name → reader. A reader returns undefined when the value says nothing usable. */
const VERDICT_READERS: Record<string, (value: string) => Reading | undefined> = {
  'x-spam-flag': (value) => ({ spam: yes(value) }),
  'x-spam-status': readSpamStatus,
  'x-spam': (value) => ({ spam: yes(value) }),
  'x-spamd-result': readSpamdResult,
  'x-rspamd-action': readRspamdAction,
  'x-ms-exchange-organization-scl': readScl,
  'x-forefront-antispam-report': readForefront,
};

/** SpamAssassin's default threshold is 5, and X-Spam-Level has one star per point. */
const SPAM_LEVEL_STARS = 5;

/** Headers that complete a verdict without a score (X-Spam-Flag, X-Spam) with the filter's score, in order of trust. */
const SCORE_READERS: [string, (value: string) => number | undefined][] = [
  ['x-spam-status', (value) => readSpamStatus(value).score],
  ['x-spamd-result', (value) => readSpamdResult(value)?.score],
  ['x-spam-score', parseScore],
  ['x-rspamd-score', parseScore],
];

/**
 * The provider's spam verdict from the headers. The topmost recognised verdict header decides: the receiving
 * provider adds its headers on top, so a lower one was added earlier on the path — possibly by the sender
 * itself to look clean. Only the first occurrence of each header name is read. X-Spam-Level (stars) is a
 * fallback used only when no verdict header is present. Gmail marks spam by folder, not by header; the
 * folder the fetcher found the message in is the stronger signal there.
 *
 * @example spamVerdictFromHeaders([{ key: 'x-spam-status', value: 'Yes, score=9.3 required=5.0' }]) // { spam: true, source: 'x-spam-status', score: 9.3 }
 */
export const spamVerdictFromHeaders = (headers: readonly HeaderLine[]): SpamVerdict => {
  const seen = new Set<string>();
  for (const { key, value } of headers) {
    if (seen.has(key)) continue;
    seen.add(key);
    const reading = VERDICT_READERS[key]?.(value);
    if (!reading) continue;
    const score = reading.score ?? firstScore(headers);
    return score === undefined ? { spam: reading.spam, source: key } : { spam: reading.spam, source: key, score };
  }
  const level = headers.find((h) => h.key === 'x-spam-level');
  if (level) {
    const stars = (level.value.match(/\*/g) ?? []).length;
    return { spam: stars >= SPAM_LEVEL_STARS, source: 'x-spam-level', score: firstScore(headers) ?? stars };
  }
  return { spam: false };
};

const firstScore = (headers: readonly HeaderLine[]): number | undefined => {
  for (const [key, read] of SCORE_READERS) {
    const value = headers.find((h) => h.key === key)?.value;
    const score = value === undefined ? undefined : read(value);
    if (score !== undefined) return score;
  }
  return undefined;
};
