import { describe, expect, it } from 'vitest';
import { addressKey, isCatchAllAddress, normalizeAddress, normalizeRecipientAddress } from './address.util';
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

describe(normalizeRecipientAddress.name, () => {
  it.each([
    ['@Example.COM', '@example.com'],
    [' *@Müller.de ', '@xn--mller-kva.de'],
    ['@xn--mller-kva.de', '@xn--mller-kva.de'],
    ['@localhost', '@localhost'],
    ['Anna@Müller.DE', 'Anna@xn--mller-kva.de'],
    ['**@example.com', '**@example.com'],
  ])('should turn %j into %j', (input, expected) => {
    expect(normalizeRecipientAddress(input)).toBe(expected);
  });

  it.each([
    ['@', 'needs a domain'],
    ['*@', 'needs a domain'],
    ['@example', 'not a fully qualified domain'],
    ['@exa_mple.com', 'not a valid domain'],
    ['*@exa mple.com', 'not a valid domain'],
    ['a*@', 'needs a local part'],
    ['@a@example.com', 'more than one @'],
    ['Team <@example.com>', 'without a display name'],
    [`@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(63)}.com`, 'longer than 254 bytes'],
  ])('should refuse %j: %s', (input, reason) => {
    expect(() => normalizeRecipientAddress(input)).toThrow(InvalidAddressError);
    expect(() => normalizeRecipientAddress(input)).toThrow(reason);
  });

  it('should give a catch-all whose key claims the whole domain', () => {
    expect(addressKey(normalizeRecipientAddress('*@MÜLLER.de'))).toBe(addressKey(normalizeRecipientAddress('@müller.DE')));
  });
});

describe(isCatchAllAddress.name, () => {
  it.each([
    ['@example.com', true],
    ['anna@example.com', false],
  ])('should tell whether %j is a catch-all', (address, expected) => {
    expect(isCatchAllAddress(address)).toBe(expected);
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
