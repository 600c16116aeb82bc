import { InvalidAddressError, addressKey, normalizeAddress } from '@mailbus/mail-protocol';
import { RpcDomainError } from '@mailbus/service-runtime';

export interface NormalizedAddress {
  address: string;
  key: string;
}

type Normalize = (input: string) => string;

/**
 * Normalises an address from a request; one that cannot be normalised is a 400 on its field.
 * `normalize` defaults to plain addresses; users' and groups' routing addresses pass
 * normalizeRecipientAddress, which also takes a catch-all (`@example.com`, claimed under that key).
 */
export function normalizeAddressField({ value, path, normalize = normalizeAddress }: { value: string; path: string; normalize?: Normalize }): NormalizedAddress {
  try {
    const address = normalize(value);
    return { address, key: addressKey(address) };
  } catch (error) {
    if (error instanceof InvalidAddressError) throw RpcDomainError.invalid([{ path, message: error.reason }]);
    throw error;
  }
}

/** Normalises a list, dropping repeats of the same address (compared by key). */
export function normalizeAddressList({ values, path, normalize = normalizeAddress }: { values: string[]; path: string; normalize?: Normalize }): NormalizedAddress[] {
  const seen = new Map<string, NormalizedAddress>();
  values.forEach((value, index) => {
    const normalized = normalizeAddressField({ value, path: `${path}.${index}`, normalize });
    if (!seen.has(normalized.key)) seen.set(normalized.key, normalized);
  });
  return [...seen.values()];
}
