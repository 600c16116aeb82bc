/** One POP3 status line (RFC 1939 §3): `+OK`, `-ERR`, a SASL continuation `+ ` (RFC 5034), or anything else. */
export interface Pop3Status {
  kind: 'ok' | 'err' | 'continue' | 'invalid';
  /** The text after the status indicator. */
  text: string;
  /** The whole line without its line break, at most MAX_QUOTED_LINE characters: what errors quote. */
  line: string;
}

const MAX_QUOTED_LINE = 200;

/** @example parseStatusLine('-ERR [AUTH] Authentication failed.\r\n') // { kind: 'err', text: '[AUTH] Authentication failed.', line: '-ERR [AUTH] Authentication failed.' } */
export function parseStatusLine(raw: Buffer | string): Pop3Status {
  const whole = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/\r?\n$/, '');
  const line = whole.length > MAX_QUOTED_LINE ? `${whole.slice(0, MAX_QUOTED_LINE)}…` : whole;
  if (/^\+OK(\s|$)/.test(whole)) return { kind: 'ok', text: whole.slice(3).trim(), line };
  if (/^-ERR(\s|$)/.test(whole)) return { kind: 'err', text: whole.slice(4).trim(), line };
  if (/^\+( |$)/.test(whole)) return { kind: 'continue', text: whole.slice(1).trim(), line };
  return { kind: 'invalid', text: whole, line };
}

/** The lines of a multi-line response body (already dot-unstuffed), without line breaks. */
export function splitLines(body: Buffer): string[] {
  const lines = body.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}

const MESSAGE_NUMBER = /^[1-9][0-9]*$/;
const SIZE = /^[0-9]+$/;
/** RFC 1939 §7: 1 to 70 characters in 0x21..0x7E. */
const UNIQUE_ID = /^[\x21-\x7e]{1,70}$/;

/** `+OK 2 320` → { count: 2, size: 320 }; undefined for anything else. */
export function parseStat(text: string): { count: number; size: number } | undefined {
  const [count, size] = text.trim().split(/\s+/);
  if (!count || !size || !SIZE.test(count) || !SIZE.test(size)) return undefined;
  return { count: Number(count), size: Number(size) };
}

/** A LIST scan line `1 320` → { number: 1, size: 320 }; undefined for anything else. */
export function parseListLine(line: string): { number: number; size: number } | undefined {
  const [number, size] = line.trim().split(/\s+/);
  if (!number || !size || !MESSAGE_NUMBER.test(number) || !SIZE.test(size)) return undefined;
  return { number: Number(number), size: Number(size) };
}

/** A UIDL line `1 whqtswO00WBw418f9t5JxYwZ` → { number: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' }; undefined for anything else. */
export function parseUidlLine(line: string): { number: number; uid: string } | undefined {
  const [number, uid, extra] = line.trim().split(/\s+/);
  if (!number || !uid || extra !== undefined || !MESSAGE_NUMBER.test(number) || !UNIQUE_ID.test(uid)) return undefined;
  return { number: Number(number), uid };
}

/** Login refusals that say "not now" rather than "wrong password" (RFC 2449 IN-USE, LOGIN-DELAY; RFC 3206 SYS/TEMP). */
const TEMPORARY_LOGIN_REFUSAL = /^-ERR \[(IN-USE|LOGIN-DELAY|SYS\/TEMP)\]/i;
export const isTemporaryLoginRefusal = (response: string): boolean => TEMPORARY_LOGIN_REFUSAL.test(response);
