export { SecretKeyring } from './secret-keyring';
export type { SecretKey } from './secret-key';
export { SecretBox, isSealed, generateSecretKey } from './secret-box';
export { SecretKeyError, SecretDecryptError } from './secret-key.error';
