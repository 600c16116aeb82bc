/** One key of a SecretKeyring: its id (written into every value it seals) and 32 bytes of key. */
export interface SecretKey {
  kid: string;
  key: Buffer;
}
