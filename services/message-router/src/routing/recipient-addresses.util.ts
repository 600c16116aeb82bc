import { InvalidAddressError, addressKey, normalizeAddress } from '@mailbus/mail-protocol';
import { MAX_LOOKUP_ADDRESSES } from './routing.constants';

/**
 * An address from a message normalised for lookup (punycode domain), or undefined when it is not one
 * plain address: mail from the wild is routed with what can be read, never refused for it.
 */
export function normalizeMessageAddress(address: string): string | undefined {
  try {
    return normalizeAddress(address);
  } catch (error) {
    if (error instanceof InvalidAddressError) return undefined;
    throw error;
  }
}

/**
 * The distinct valid addresses among `addresses`, normalised, in first-seen order, compared by key
 * (so `Anna@Müller.de` and `anna@xn--mller-kva.de` are one), at most `limit` of them.
 * @example distinctAddresses({ addresses: ['Anna@Müller.de', 'bad', 'anna@xn--mller-kva.de'] }) // ['Anna@xn--mller-kva.de']
 */
export function distinctAddresses({ addresses, limit = MAX_LOOKUP_ADDRESSES }: { addresses: Iterable<string>; limit?: number }): string[] {
  const byKey = new Map<string, string>();
  for (const address of addresses) {
    if (byKey.size >= limit) break;
    const normalized = normalizeMessageAddress(address);
    if (normalized && !byKey.has(addressKey(normalized))) byKey.set(addressKey(normalized), normalized);
  }
  return [...byKey.values()];
}
