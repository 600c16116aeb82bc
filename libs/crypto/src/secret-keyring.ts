import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { SecretKey } from './secret-key';
import { SECRET_KEY_BYTES, KID_PATTERN, deriveKid, parseSecretKeyEntry, splitSecretKeyEntries } from './secret-key-entry.util';
import { SecretKeyError } from './secret-key.error';

type SecretKeyEnv = { MAILBUS_SECRET_KEY?: string; MAILBUS_SECRET_KEY_FILE?: string };

function readKeyText(env: SecretKeyEnv): { text: string; variable: string } {
  const { MAILBUS_SECRET_KEY: inline, MAILBUS_SECRET_KEY_FILE: file } = env;
  if (inline && file) throw new SecretKeyError('set MAILBUS_SECRET_KEY or MAILBUS_SECRET_KEY_FILE, not both');
  if (inline) return { text: inline, variable: 'MAILBUS_SECRET_KEY' };
  if (!file) throw new SecretKeyError('MAILBUS_SECRET_KEY or MAILBUS_SECRET_KEY_FILE is required (a 32-byte key in base64 that seals account passwords)');
  try {
    return { text: readFileSync(file, 'utf8'), variable: 'MAILBUS_SECRET_KEY_FILE' };
  } catch (error) {
    throw new SecretKeyError(`MAILBUS_SECRET_KEY_FILE ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The keys that seal secrets, newest first: the first one seals, every one opens. Rotation: prepend
 * a new key and keep the old ones until nothing sealed with them is left. A key opens values sealed
 * under its listed id and under its derived id, so labelling a key later loses nothing.
 *
 * Key material lives in private fields and the keyring prints (JSON, util.inspect, pino) as its key
 * ids only, so a config object that holds it can be logged without leaking a key.
 * @example
 * const keyring = SecretKeyring.fromEnv({ MAILBUS_SECRET_KEY: 'k2:<new base64>,k1:<old base64>' });
 * keyring.newest.kid; // 'k2'
 */
export class SecretKeyring {
  readonly #keys: readonly SecretKey[];
  readonly #byKid = new Map<string, Buffer>();
  /** Every key under its derived id too: a key keeps opening what it sealed before it got an explicit id. */
  readonly #byDerivedKid = new Map<string, Buffer>();

  private constructor(keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new SecretKeyError('no secret key given');
    for (const { kid, key } of keys) {
      if (!KID_PATTERN.test(kid)) throw new SecretKeyError(`key id ${JSON.stringify(kid)} is not 1–32 letters, digits, _ or -`);
      if (this.#byKid.has(kid)) throw new SecretKeyError(`key id ${kid} is used twice`);
      if (key.length !== SECRET_KEY_BYTES) throw new SecretKeyError(`key ${kid} is not 32 bytes`);
      const copy = Buffer.from(key);
      this.#byKid.set(kid, copy);
      this.#byDerivedKid.set(deriveKid(copy), copy);
    }
    this.#keys = keys.map(({ kid }) => ({ kid, key: this.#byKid.get(kid)! }));
  }

  /** For tests and tools: keys given directly, newest first; a missing kid is derived from the key. */
  static fromKeys(keys: ReadonlyArray<{ kid?: string; key: Buffer }>): SecretKeyring {
    return new SecretKeyring(keys.map(({ kid, key }) => ({ kid: kid ?? deriveKid(key), key })));
  }

  /**
   * From MAILBUS_SECRET_KEY (comma- or newline-separated `[kid:]key` entries, newest first) or
   * MAILBUS_SECRET_KEY_FILE (the same, one per line; a mounted Kubernetes secret). Errors are
   * SecretKeyErrors naming the variable and the entry's position, never a key.
   */
  static fromEnv(env: SecretKeyEnv = process.env): SecretKeyring {
    const { text, variable } = readKeyText(env);
    const entries = splitSecretKeyEntries(text);
    if (entries.length === 0) throw new SecretKeyError(`${variable} holds no key`);
    const keys = entries.map((entry, index) => parseSecretKeyEntry({ entry, where: `${variable} entry ${index + 1}` }));
    const seen = new Map<string, number>();
    keys.forEach(({ kid }, index) => {
      const first = seen.get(kid);
      if (first !== undefined) throw new SecretKeyError(`${variable} entry ${index + 1}: key id ${kid} is used twice (also entry ${first + 1})`);
      seen.set(kid, index);
    });
    return new SecretKeyring(keys);
  }

  /** The key that seals. */
  get newest(): SecretKey {
    return this.#keys[0]!;
  }

  /** Key ids, newest first. */
  get kids(): string[] {
    return this.#keys.map(({ kid }) => kid);
  }

  /**
   * The key that opens values sealed under `kid`: the key listed with that id, else the key whose
   * derived id it is. Values sealed by an unlabelled key (`mb1.<sha8>.…`, the default) therefore
   * still open after the rotation gives that key an explicit id (`k2:<new>,k1:<old>`).
   */
  keyFor(kid: string): Buffer | undefined {
    return this.#byKid.get(kid) ?? this.#byDerivedKid.get(kid);
  }

  toJSON(): { kids: string[] } {
    return { kids: this.kids };
  }

  [inspect.custom](): string {
    return `SecretKeyring { kids: ${this.kids.join(', ')} }`;
  }
}
