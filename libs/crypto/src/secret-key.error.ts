/** A key in MAILBUS_SECRET_KEY(_FILE) is missing or malformed. The message never contains a key. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** A sealed secret does not open: unknown key id, tampered, or sealed for another context. */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
}
