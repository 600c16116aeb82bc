import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretKeyError } from './secret-key.error';
import { SecretKeyring } from './secret-keyring';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function keyFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mailbus-key-')), 'key');
  writeFileSync(file, content);
  return file;
}

describe(SecretKeyring.name, () => {
  describe('fromEnv', () => {
    it('should read base64, base64url and hex keys, newest first, with or without a key id', () => {
      const sut = SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: `new:${keyB.toString('base64url')}, ${keyA.toString('hex')}\nk3:${keyA.toString('base64')}` });
      expect(sut.kids[0]).toBe('new');
      expect(sut.kids[1]).toMatch(/^[0-9a-f]{8}$/);
      expect(sut.kids).toHaveLength(3);
      expect(sut.newest).toEqual({ kid: 'new', key: keyB });
      expect(sut.keyFor(sut.kids[1]!)).toEqual(keyA);
      expect(sut.keyFor('k3')).toEqual(keyA);
    });

    it('should derive the same key id for the same key, whatever its encoding', () => {
      const fromBase64 = SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: keyA.toString('base64') });
      const fromHex = SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: keyA.toString('hex').toUpperCase() });
      expect(fromBase64.kids).toEqual(fromHex.kids);
      expect(SecretKeyring.fromKeys([{ key: keyA }]).kids).toEqual(fromBase64.kids);
    });

    it('should read a key file with comments and CRLF lines, as mounted from a Kubernetes secret', () => {
      const sut = SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY_FILE: keyFile(`# rotated 2026-11\r\nk2:${keyB.toString('base64')}\r\n\r\nk1:${keyA.toString('base64')}\n`) });
      expect(sut.kids).toEqual(['k2', 'k1']);
    });

    it.each([
      [{}, 'MAILBUS_SECRET_KEY or MAILBUS_SECRET_KEY_FILE is required'],
      [{ MAILBUS_SECRET_KEY: ' , ' }, 'MAILBUS_SECRET_KEY holds no key'],
      [{ MAILBUS_SECRET_KEY: 'c2hvcnQ=' }, 'MAILBUS_SECRET_KEY entry 1 is not a 32-byte key'],
      [{ MAILBUS_SECRET_KEY: `${keyA.toString('base64')},k2:not!base64` }, 'MAILBUS_SECRET_KEY entry 2 is not a 32-byte key'],
      [{ MAILBUS_SECRET_KEY: `x:${keyA.toString('base64')},x:${keyB.toString('base64')}` }, 'MAILBUS_SECRET_KEY entry 2: key id x is used twice (also entry 1)'],
      [{ MAILBUS_SECRET_KEY: `${keyA.toString('base64')},${keyA.toString('hex')}` }, 'is used twice'],
      [{ MAILBUS_SECRET_KEY: `bad id:${keyA.toString('base64')}` }, 'MAILBUS_SECRET_KEY entry 1 has a bad key id'],
      [{ MAILBUS_SECRET_KEY: `${'k'.repeat(33)}:${keyA.toString('base64')}` }, 'entry 1 has a bad key id'],
      [{ MAILBUS_SECRET_KEY_FILE: '/nonexistent/key' }, 'MAILBUS_SECRET_KEY_FILE /nonexistent/key cannot be read: ENOENT'],
      [{ MAILBUS_SECRET_KEY_FILE: keyFile('# nothing yet\n') }, 'MAILBUS_SECRET_KEY_FILE holds no key'],
      [{ MAILBUS_SECRET_KEY: keyA.toString('base64'), MAILBUS_SECRET_KEY_FILE: '/run/secrets/key' }, 'not both'],
    ])('should refuse %j with a clear message', (env, message) => {
      expect(() => SecretKeyring.fromEnv(env)).toThrow(SecretKeyError);
      expect(() => SecretKeyring.fromEnv(env)).toThrow(message);
    });

    it('should never put a key into an error message', () => {
      const almost = randomBytes(31).toString('base64');
      const tooLong = randomBytes(33).toString('hex');
      for (const value of [`k:${almost}`, almost, tooLong, `${keyA.toString('base64')},${keyB.toString('base64')},${keyB.toString('base64')}`]) {
        let message = '';
        try {
          SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: value });
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).not.toBe('');
        expect(message).not.toContain('\n');
        for (const secret of [almost, tooLong, keyA.toString('base64'), keyB.toString('base64')]) expect(message).not.toContain(secret);
      }
    });

    it('should default to process.env', () => {
      const saved = process.env.MAILBUS_SECRET_KEY;
      process.env.MAILBUS_SECRET_KEY = `env:${keyA.toString('base64')}`;
      try {
        expect(SecretKeyring.fromEnv().kids).toEqual(['env']);
      } finally {
        if (saved === undefined) delete process.env.MAILBUS_SECRET_KEY;
        else process.env.MAILBUS_SECRET_KEY = saved;
      }
    });
  });

  describe('fromKeys', () => {
    it('should take keys newest first and derive missing key ids', () => {
      const sut = SecretKeyring.fromKeys([{ kid: 'b', key: keyB }, { key: keyA }]);
      expect(sut.newest.kid).toBe('b');
      expect(sut.kids[1]).toMatch(/^[0-9a-f]{8}$/);
    });

    it.each([
      [[], 'no secret key given'],
      [[{ kid: 'a', key: randomBytes(16) }], 'key a is not 32 bytes'],
      [[{ kid: 'a', key: keyA }, { kid: 'a', key: keyB }], 'key id a is used twice'],
      [[{ kid: 'a.b', key: keyA }], 'is not 1–32 letters'],
    ])('should refuse keyring %#', (keys, message) => {
      expect(() => SecretKeyring.fromKeys(keys)).toThrow(SecretKeyError);
      expect(() => SecretKeyring.fromKeys(keys)).toThrow(message);
    });

    it('should find a key under its derived id as well as under the id it is listed with', () => {
      const derivedA = SecretKeyring.fromKeys([{ key: keyA }]).newest.kid;
      const sut = SecretKeyring.fromKeys([{ kid: 'k2', key: keyB }, { kid: 'k1', key: keyA }]);
      expect(sut.keyFor('k1')).toEqual(keyA);
      expect(sut.keyFor(derivedA)).toEqual(keyA);
      expect(sut.keyFor('k3')).toBeUndefined();
      expect(sut.kids).toEqual(['k2', 'k1']);
    });

    it('should prefer the key listed under an id over a key whose derived id it is', () => {
      const derivedA = SecretKeyring.fromKeys([{ key: keyA }]).newest.kid;
      const sut = SecretKeyring.fromKeys([{ kid: derivedA, key: keyB }, { kid: 'k1', key: keyA }]);
      expect(sut.keyFor(derivedA)).toEqual(keyB);
    });

    it('should keep its own copy of the keys', () => {
      const key = Buffer.from(keyA);
      const sut = SecretKeyring.fromKeys([{ kid: 'a', key }]);
      key.fill(0);
      expect(sut.keyFor('a')).toEqual(keyA);
    });
  });

  it('should print as its key ids only', () => {
    const sut = SecretKeyring.fromKeys([{ kid: 'k2', key: keyB }, { kid: 'k1', key: keyA }]);
    expect(JSON.stringify({ sut })).toBe('{"sut":{"kids":["k2","k1"]}}');
    expect(inspect(sut, { showHidden: true })).toBe('SecretKeyring { kids: k2, k1 }');
  });
});
