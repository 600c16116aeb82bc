import { describe, expect, it } from 'vitest';
import { addressKey, normalizeAddress } from './address.util';
import { InvalidAddressError } from './invalid-address.error';

describe(normalizeAddress.name, () => {
  it.each([
    [' Anna.Berger@Example.COM ', 'Anna.Berger@example.com'],
    ['info@müller.de', 'info@xn--mller-kva.de'],
    ['user+tag@EXAMPLE.org', 'user+tag@example.org'],
    ['jürgen@example.com', 'jürgen@example.com'],
    ['root@localhost', 'root@localhost'],
    ['x@xn--mller-kva.de', 'x@xn--mller-kva.de'],
  ])('should turn %j into %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    ['', 'is empty'],
    ['Anna <anna@example.com>', 'without a display name'],
    ['anna', 'needs a local part'],
    ['anna@', 'needs a local part'],
    ['a@b@example.com', 'more than one @'],
    ['a..b@example.com', 'not allowed in the local part'],
    ['anna@exa_mple.com', 'not a valid domain'],
    ['anna@-example.com', 'not a valid domain'],
    ['anna@example', 'not a fully qualified domain'],
    [`${'a'.repeat(65)}@example.com`, 'longer than 64 bytes'],
    [`${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`, 'longer than 254 bytes'],
    ['anna@exa mple.com', 'without a display name'],
    ['anna@example..com', 'not a valid domain'],
    ['anna@example.com.', 'not a valid domain'],
    ['"anna"@example.com', 'not allowed in the local part'],
  ])('should refuse %j: %s', (input, reason) => {
    expect(() => normalizeAddress(input)).toThrow(InvalidAddressError);
    expect(() => normalizeAddress(input)).toThrow(reason);
  });
});

describe(addressKey.name, () => {
  it('should make addresses that differ only in case equal', () => {
    expect(addressKey(normalizeAddress('Anna@Müller.de'))).toBe(addressKey(normalizeAddress('anna@MÜLLER.DE')));
    expect(addressKey('Anna.Berger@example.com')).toBe('anna.berger@example.com');
  });
});

describe(InvalidAddressError.name, () => {
  it('should carry input and reason and quote at most 100 characters of the input', () => {
    const input = `${'x'.repeat(300)}@example.com`;
    const sut = new InvalidAddressError({ input, reason: 'is too long' });
    expect(sut).toMatchObject({ input, reason: 'is too long' });
    expect(sut.message).toBe(`invalid e-mail address "${'x'.repeat(100)}…": is too long`);
  });
});
