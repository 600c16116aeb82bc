import { describe, expect, it } from 'vitest';
import { recipientLookupKeys } from './recipient-keys.util';

describe(recipientLookupKeys.name, () => {
  it.each([
    ['Anna@example.com', ['anna@example.com', '@example.com']],
    ['Anna+News@example.com', ['anna+news@example.com', 'anna@example.com', '@example.com']],
    ['anna+a+b@example.com', ['anna+a+b@example.com', 'anna@example.com', '@example.com']],
    ['+tag@example.com', ['+tag@example.com', '@example.com']],
    ['anna+@example.com', ['anna+@example.com', 'anna@example.com', '@example.com']],
    ['jürgen@xn--mller-kva.de', ['jürgen@xn--mller-kva.de', '@xn--mller-kva.de']],
  ])('should give the keys of %j most specific first', (address, expected) => {
    expect(recipientLookupKeys(address).map(({ key }) => key)).toEqual(expected);
  });

  it('should say how each key matches', () => {
    expect(recipientLookupKeys('a+b@example.com').map(({ match }) => match)).toEqual(['exact', 'plus', 'catch-all']);
  });
});
