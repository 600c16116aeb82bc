import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretDecryptError } from './secret-key.error';
import type { SecretKeyring } from './secret-keyring';

/** Scheme version: a future format gets `mb2` and both open side by side during a migration. */
const VERSION = 'mb1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED_PATTERN = /^mb1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/**
 * AES-256-GCM for secrets at rest: `mb1.<kid>.<iv>.<ciphertext>.<tag>` (base64url). The key id says
 * which key opens it, so keys can rotate; `context` (e.g. `account:<id>:receive.password`) is
 * authenticated data: a ciphertext moved to another account or field does not open.
 * Errors name the key id and the context, never the plaintext.
 * @example
 * const box = new SecretBox(SecretKeyring.fromEnv());
 * const sealed = box.seal('hunter2', `account:${id}:receive.password`);
 * box.open(sealed, `account:${id}:receive.password`); // 'hunter2'
 */
export class SecretBox {
  readonly #keyring: SecretKeyring;

  constructor(keyring: SecretKeyring) {
    this.#keyring = keyring;
  }

  seal(plaintext: string, context: string): string {
    const { kid, key } = this.#keyring.newest;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, kid, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** @throws SecretDecryptError when the value is not sealed, its key id is unknown, it was altered, or it belongs to another context. */
  open(sealed: string, context: string): string {
    if (!isSealed(sealed)) throw new SecretDecryptError(`not a sealed secret (context ${context})`);
    const [, kid, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string, string];
    const key = this.#keyring.keyFor(kid);
    if (!key) throw new SecretDecryptError(`sealed with key ${kid}, which is not in MAILBUS_SECRET_KEY (context ${context})`);
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    // Checked here, not left to OpenSSL: GCM accepts other IV lengths, and a short tag must never verify.
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new SecretDecryptError(`secret sealed with key ${kid} is malformed (context ${context})`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError(`secret sealed with key ${kid} does not open for context ${context}: altered, or sealed for another field`);
    }
  }

  /** True when the value was not sealed with the newest key (or is not sealed at all): re-seal it so old keys can be retired. */
  needsReseal(sealed: string): boolean {
    return !isSealed(sealed) || sealed.split('.')[1] !== this.#keyring.newest.kid;
  }

  toJSON(): { kids: string[] } {
    return this.#keyring.toJSON();
  }

  [inspect.custom](): string {
    return `SecretBox { kids: ${this.#keyring.kids.join(', ')} }`;
  }
}

/** Format check only (`mb1.<kid>.<iv>.<ciphertext>.<tag>`); whether it opens is for SecretBox.open. */
export const isSealed = (value: string): boolean => SEALED_PATTERN.test(value);

/** A new random key for MAILBUS_SECRET_KEY: 32 bytes, base64. */
export const generateSecretKey = (): string => randomBytes(32).toString('base64');
