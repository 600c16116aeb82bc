import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretBox, generateSecretKey, isSealed } from './secret-box';
import { SecretDecryptError } from './secret-key.error';
import { SecretKeyring } from './secret-keyring';

const context = 'account:a1:receive.password';
const keyA = randomBytes(32);
const keyB = randomBytes(32);

/** Flips one bit in the first byte of part `index` of a sealed value. */
function tamper({ sealed, index }: { sealed: string; index: number }): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe(SecretBox.name, () => {
  const sut = new SecretBox(SecretKeyring.fromKeys([{ kid: 'a', key: keyA }]));

  it('should open what it sealed and never show the plaintext in the sealed form', () => {
    const sealed = sut.seal('hunter2-secret', context);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).toMatch(/^mb1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('hunter2');
    expect(sut.open(sealed, context)).toBe('hunter2-secret');
  });

  it.each(['pässwörd 🔑', '密码', '', ' spaces and\nnewline '])('should round-trip %j', (plaintext) => {
    expect(sut.open(sut.seal(plaintext, context), context)).toBe(plaintext);
  });

  it('should use a fresh IV for every seal', () => {
    expect(sut.seal('same', context)).not.toBe(sut.seal('same', context));
  });

  it.each(['account:a2:receive.password', 'account:a1:send.password', ''])('should refuse a secret moved to context %j, naming the context but not the plaintext', (other) => {
    const sealed = sut.seal('pw-plaintext', context);
    expect(() => sut.open(sealed, other)).toThrow(SecretDecryptError);
    expect(() => sut.open(sealed, other)).toThrow(expect.objectContaining({ message: expect.stringContaining(`key a does not open for context ${other}`) }));
    expect(() => sut.open(sealed, other)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('pw-plaintext') }));
  });

  it.each([
    [2, 'iv'],
    [3, 'ciphertext'],
    [4, 'tag'],
  ])('should refuse a secret whose part %i (%s) was altered', (index) => {
    expect(() => sut.open(tamper({ sealed: sut.seal('pw', context), index }), context)).toThrow(SecretDecryptError);
  });

  it('should refuse a truncated tag or IV even though GCM would take it', () => {
    const parts = sut.seal('pw', context).split('.');
    const shortTag = [...parts.slice(0, 4), Buffer.from(parts[4]!, 'base64url').subarray(0, 4).toString('base64url')].join('.');
    const shortIv = [...parts.slice(0, 2), Buffer.from(parts[2]!, 'base64url').subarray(0, 8).toString('base64url'), ...parts.slice(3)].join('.');
    expect(() => sut.open(shortTag, context)).toThrow(/malformed/);
    expect(() => sut.open(shortIv, context)).toThrow(/malformed/);
  });

  it('should refuse values that are not sealed, or sealed with an unknown key', () => {
    expect(() => sut.open('plain-password', context)).toThrow(/not a sealed secret/);
    expect(() => sut.open(sut.seal('pw', context).replace('mb1.a.', 'mb1.zz.'), context)).toThrow(`sealed with key zz, which is not in MAILBUS_SECRET_KEY (context ${context})`);
  });

  it('should open secrets of an old key after rotation, seal with the new one, and say what needs resealing', () => {
    const old = sut.seal('pw', context);
    const rotated = new SecretBox(SecretKeyring.fromKeys([{ kid: 'b', key: keyB }, { kid: 'a', key: keyA }]));
    expect(rotated.open(old, context)).toBe('pw');
    expect(rotated.needsReseal(old)).toBe(true);
    const fresh = rotated.seal('pw', context);
    expect(fresh).toMatch(/^mb1\.b\./);
    expect(rotated.needsReseal(fresh)).toBe(false);
    expect(rotated.needsReseal('plain-password')).toBe(true);
    expect(() => new SecretBox(SecretKeyring.fromKeys([{ kid: 'b', key: keyB }])).open(old, context)).toThrow(/key a, which is not in MAILBUS_SECRET_KEY/);
  });

  it('should open what an unlabelled key sealed after a rotation gives that key an id (k2:<new>,k1:<old>)', () => {
    const unlabelled = new SecretBox(SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: keyA.toString('base64') }));
    const sealed = unlabelled.seal('pw', context);
    expect(sealed.split('.')[1]).toMatch(/^[0-9a-f]{8}$/);
    const rotated = new SecretBox(SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: `k2:${keyB.toString('base64')},k1:${keyA.toString('base64')}` }));
    expect(rotated.open(sealed, context)).toBe('pw');
    expect(rotated.needsReseal(sealed)).toBe(true);
    expect(rotated.seal('pw', context)).toMatch(/^mb1\.k2\./);
  });

  it('should not open what an unlabelled key sealed once that key is no longer listed', () => {
    const sealed = new SecretBox(SecretKeyring.fromKeys([{ key: keyA }])).seal('pw', context);
    expect(() => new SecretBox(SecretKeyring.fromKeys([{ kid: 'k2', key: keyB }])).open(sealed, context)).toThrow(SecretDecryptError);
  });

  it('should not open with another key under the same key id', () => {
    const impostor = new SecretBox(SecretKeyring.fromKeys([{ kid: 'a', key: keyB }]));
    expect(() => impostor.open(sut.seal('pw', context), context)).toThrow(SecretDecryptError);
  });

  it('should print as its key ids only, so a logged config does not leak a key', () => {
    const printed = [JSON.stringify({ box: sut }), inspect(sut, { showHidden: true, depth: 5 }), inspect({ box: sut })].join('\n');
    expect(printed).toContain('"kids":["a"]');
    for (const form of [keyA.toString('base64'), keyA.toString('hex'), [...keyA].join(',')]) expect(printed).not.toContain(form);
  });
});

describe(isSealed.name, () => {
  it.each([
    ['mb1.k1.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA', true],
    ['mb1.k1.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA', true],
    ['mb2.k1.AAAA.AA.AAAA', false],
    ['mb1.k 1.AAAA.AA.AAAA', false],
    ['mb1.k1.AAAA.AA', false],
    ['hunter2', false],
    ['', false],
  ])('should say %j is sealed: %s', (value, expected) => {
    expect(isSealed(value)).toBe(expected);
  });
});

describe(generateSecretKey.name, () => {
  it('should make a random 32-byte base64 key that a keyring accepts', () => {
    const key = generateSecretKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(key).not.toBe(generateSecretKey());
    expect(SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: key }).kids).toHaveLength(1);
  });
});
