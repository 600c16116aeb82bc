import { describe, expect, it } from 'vitest';
import { distinctAddresses, normalizeMessageAddress } from './recipient-addresses.util';
import { MAX_LOOKUP_ADDRESSES } from './routing.constants';

describe(normalizeMessageAddress.name, () => {
  it.each([
    ['Anna@Müller.DE', 'Anna@xn--mller-kva.de'],
    [' bob@example.com ', 'bob@example.com'],
  ])('should normalise %j to %j', (input, expected) => {
    expect(normalizeMessageAddress(input)).toBe(expected);
  });

  it.each(['', 'anna', '@example.com', '<anna@example.com>', '"a b"@example.com', 'anna@exa_mple.com', 'a@b@example.com'])('should give undefined for %j instead of throwing', (input) => {
    expect(normalizeMessageAddress(input)).toBeUndefined();
  });
});

describe(distinctAddresses.name, () => {
  it('should drop invalid ones and repeats by key, keeping the first spelling and the order', () => {
    const sut = distinctAddresses({ addresses: ['Anna@Müller.de', 'garbage', 'bob@example.com', 'anna@xn--mller-kva.de', 'BOB@example.com'] });
    expect(sut).toEqual(['Anna@xn--mller-kva.de', 'bob@example.com']);
  });

  it('should stop at the limit of distinct addresses when a message has 50,000 recipients', () => {
    const addresses = Array.from({ length: 50_000 }, (_, index) => `user${index % 25_000}@example.com`);
    const sut = distinctAddresses({ addresses });
    expect(sut).toHaveLength(MAX_LOOKUP_ADDRESSES);
    expect(sut.at(-1)).toBe(`user${MAX_LOOKUP_ADDRESSES - 1}@example.com`);
  });

  it('should not count invalid addresses against the limit', () => {
    expect(distinctAddresses({ addresses: ['bad', 'worse', 'a@example.com', 'b@example.com'], limit: 1 })).toEqual(['a@example.com']);
  });
});
