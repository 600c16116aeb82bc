import { InvalidAddressError, addressKey, normalizeAddress } from '@mailbus/mail-protocol';
import { RpcDomainError } from '@mailbus/service-runtime';

export interface NormalizedAddress {
  address: string;
  key: string;
}

/** Normalises an address from a request; one that cannot be normalised is a 400 on its field. */
export function normalizeAddressField({ value, path }: { value: string; path: string }): NormalizedAddress {
  try {
    const address = normalizeAddress(value);
    return { address, key: addressKey(address) };
  } catch (error) {
    if (error instanceof InvalidAddressError) throw RpcDomainError.invalid([{ path, message: error.reason }]);
    throw error;
  }
}

/** Normalises a list, dropping repeats of the same address (compared by key). */
export function normalizeAddressList({ values, path }: { values: string[]; path: string }): NormalizedAddress[] {
  const seen = new Map<string, NormalizedAddress>();
  values.forEach((value, index) => {
    const normalized = normalizeAddressField({ value, path: `${path}.${index}` });
    if (!seen.has(normalized.key)) seen.set(normalized.key, normalized);
  });
  return [...seen.values()];
}
