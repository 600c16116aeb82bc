import { skipComment } from './header-comments.util';

/**
 * The addresses in an address-list header value (RFC 5322 §3.4) as written, not yet validated:
 * display names, comments, quoted strings, `<…>`, source routes and groups (`team: a@x, b@x;`) are
 * understood, and anything unbalanced is tolerated. Never throws; garbage yields garbage strings or
 * nothing, which the caller drops when normalisation refuses them.
 * @example parseHeaderAddresses('"Berger, Anna" <anna@example.com>, bob@example.com (Bob)') // ['anna@example.com', 'bob@example.com']
 */
export function parseHeaderAddresses(value: string): string[] {
  const addresses: string[] = [];
  let bare = '';
  let angle: string | undefined;
  let inAngle = false;
  const flush = () => {
    const candidate = angle ?? singleAddressToken(bare);
    if (candidate) addresses.push(candidate);
    bare = '';
    angle = undefined;
    inAngle = false;
  };
  for (let i = 0; i < value.length; i++) {
    const char = value[i] ?? '';
    if (char === '(') {
      i = skipComment({ value, start: i });
      bare += ' ';
    } else if (char === '"') {
      const end = skipQuoted({ value, start: i });
      // Kept in the bare text so that a quoted local part ("a b"@x) is refused later, not mangled.
      if (!inAngle) bare += value.slice(i, end + 1);
      i = end;
    } else if (inAngle) {
      if (char === '>') {
        inAngle = false;
        angle = withoutSourceRoute(angle ?? '').trim();
      } else angle = (angle ?? '') + char;
    } else if (char === '<') {
      inAngle = true;
      angle = '';
    } else if (char === ',' || char === ';') {
      flush();
    } else if (char === ':') {
      bare = ''; // a group's display name ends here; its members follow
    } else bare += char;
  }
  if (inAngle && angle !== undefined) angle = withoutSourceRoute(angle).trim();
  flush();
  return addresses.filter((address) => address.length > 0);
}

/** `<@relay1,@relay2:anna@example.com>` is anna@example.com (RFC 5322 obs-route). */
const withoutSourceRoute = (address: string): string => address.slice(address.lastIndexOf(':') + 1);

/**
 * A bare item (no `<…>`): the one word holding an `@`, so that `Anna anna@x` still gives the address.
 * Text with quotes is returned whole: a quoted local part (or a broken quote) must reach validation
 * as it is, and be refused there, rather than be cut into a different address.
 */
function singleAddressToken(text: string): string | undefined {
  if (text.includes('"')) return text.trim();
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
  if (words.length <= 1) return words[0];
  const withAt = words.filter((word) => word.includes('@'));
  return withAt.length === 1 ? withAt[0] : undefined;
}

/** @returns the index of the `"` closing the quoted string at `start`, or the last index */
function skipQuoted({ value, start }: { value: string; start: number }): number {
  for (let i = start + 1; i < value.length; i++) {
    const char = value[i];
    if (char === '\\') i++;
    else if (char === '"') return i;
  }
  return value.length - 1;
}
