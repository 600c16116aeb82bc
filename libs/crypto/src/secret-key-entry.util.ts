import { createHash } from 'node:crypto';
import { SecretKeyError } from './secret-key.error';
import type { SecretKey } from './secret-key';

export const SECRET_KEY_BYTES = 32;
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const GENERATE_HINT = `generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/** Default key id: derived from the key, so the same key gets the same id on every replica and after a restart. */
export const deriveKid = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** Entries of MAILBUS_SECRET_KEY or its file: comma- or newline-separated; blank lines and `#` comments are skipped. */
export const splitSecretKeyEntries = (text: string): string[] =>
  text
    .split(/[,\r\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0 && !entry.startsWith('#'));

function decodeKey({ text, where }: { text: string; where: string }): Buffer {
  // Hex first: 64 hex characters are valid base64 too, but would decode to 48 bytes.
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === SECRET_KEY_BYTES) return key;
  }
  // Never echo the text: it may be a real key with one character missing.
  throw new SecretKeyError(`${where} is not a 32-byte key in base64 or 64 hex characters (${GENERATE_HINT})`);
}

/**
 * One `[kid:]key` entry. `where` names the variable and the entry's position for error messages,
 * which never contain the key.
 * @example parseSecretKeyEntry({ entry: 'k2:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ0=', where: 'MAILBUS_SECRET_KEY entry 1' })
 */
export function parseSecretKeyEntry({ entry, where }: { entry: string; where: string }): SecretKey {
  const colon = entry.indexOf(':');
  if (colon === -1) {
    const key = decodeKey({ text: entry, where });
    return { kid: deriveKid(key), key };
  }
  const kid = entry.slice(0, colon).trim();
  if (!KID_PATTERN.test(kid)) throw new SecretKeyError(`${where} has a bad key id: use 1–32 letters, digits, _ or - before the colon`);
  return { kid, key: decodeKey({ text: entry.slice(colon + 1).trim(), where }) };
}
