import type { HeaderLine } from './parsed-message.types';

/** mailsplit hands header lines over as binary (latin1) strings; raw 8-bit headers are nearly always UTF-8. */
const decodeRawHeader = (line: string): string => {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(line)) return line;
  const utf8 = Buffer.from(line, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') ? line : utf8;
};

/**
 * Turns mailparser's raw header lines into HeaderLines: key lower-case, value unfolded (CRLF + WSP → WSP)
 * and left undecoded. Lines without a field name (junk in the header section) are dropped.
 */
export const toHeaderLines = (lines: ReadonlyArray<{ key: string; line: string }>): HeaderLine[] =>
  lines
    .filter(({ key }) => key.length > 0)
    .map(({ key, line }) => {
      const colon = line.indexOf(':');
      const value = colon < 0 ? '' : line.slice(colon + 1);
      return { key: key.toLowerCase(), value: decodeRawHeader(value.replace(/\r?\n(?=[ \t])/g, '')).trim() };
    });

/** The topmost occurrence: the one the last hop (the receiving provider) added. */
export const firstHeader = (headers: readonly HeaderLine[], key: string): string | undefined => headers.find((h) => h.key === key)?.value;

const stripComments = (value: string): string => value.replace(/\([^()]*\)/g, ' ');

/** Every `<id>` in a References / In-Reply-To value, in order, without whitespace inside the brackets. */
export const parseMessageIds = (value: string | undefined): string[] => {
  if (!value) return [];
  const ids = stripComments(value).match(/<[^<>]+>/g) ?? [];
  return ids.map((id) => id.replace(/\s+/g, '')).filter((id) => id.length > 2);
};

/** The first message id of a header; a bare `local@domain` without brackets (seen in the wild) is bracketed. */
export const firstMessageId = (value: string | undefined): string | undefined => {
  const [first] = parseMessageIds(value);
  if (first) return first;
  const bare = value ? stripComments(value).trim() : '';
  return /^[^\s<>]+@[^\s<>]+$/.test(bare) ? `<${bare}>` : undefined;
};

/** RFC 5322 date, comments removed; undefined when unreadable (mailparser would substitute "now"). */
export const parseDateHeader = (value: string | undefined): Date | undefined => {
  if (!value) return undefined;
  const date = new Date(stripComments(value).replace(/\s+/g, ' ').trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
};
