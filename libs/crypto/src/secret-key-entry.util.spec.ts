import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKid, parseSecretKeyEntry, splitSecretKeyEntries } from './secret-key-entry.util';

const key = randomBytes(32);
const where = 'MAILBUS_SECRET_KEY entry 1';

describe(parseSecretKeyEntry.name, () => {
  it.each([
    ['base64', key.toString('base64')],
    ['base64 without padding', key.toString('base64').replace(/=+$/, '')],
    ['base64url', key.toString('base64url')],
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
  ])('should read a %s key and derive its id from it', (_encoding, text) => {
    expect(parseSecretKeyEntry({ entry: text, where })).toEqual({ kid: createHash('sha256').update(key).digest('hex').slice(0, 8), key });
  });

  it('should take a key id before the first colon', () => {
    expect(parseSecretKeyEntry({ entry: `2026-11_a:${key.toString('base64')}`, where })).toEqual({ kid: '2026-11_a', key });
  });

  it.each([
    ['a 16-byte key', randomBytes(16).toString('base64')],
    ['a 48-byte key', randomBytes(48).toString('base64')],
    ['63 hex characters', key.toString('hex').slice(1)],
    ['a passphrase', 'correct horse battery staple'],
    ['an empty key after the id', 'k1:'],
  ])('should refuse %s, naming the entry', (_what, entry) => {
    expect(() => parseSecretKeyEntry({ entry, where })).toThrow(`${where} is not a 32-byte key in base64 or 64 hex characters`);
  });

  it.each(['', 'has space', 'dot.ted', 'x'.repeat(33)])('should refuse key id %j', (kid) => {
    expect(() => parseSecretKeyEntry({ entry: `${kid}:${key.toString('base64')}`, where })).toThrow(`${where} has a bad key id`);
  });
});

describe(splitSecretKeyEntries.name, () => {
  it('should split on commas and line breaks and skip blanks and comments', () => {
    expect(splitSecretKeyEntries(' a , b\n# note\r\n\nc,')).toEqual(['a', 'b', 'c']);
  });
});

describe(deriveKid.name, () => {
  it('should be the first 8 hex characters of the key SHA-256', () => {
    expect(deriveKid(key)).toBe(createHash('sha256').update(key).digest('hex').slice(0, 8));
  });
});
