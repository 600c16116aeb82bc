import { describe, expect, it } from 'vitest';
import { parseHeaderAddresses } from './header-addresses.util';

describe(parseHeaderAddresses.name, () => {
  it.each([
    ['a bare address', 'anna@example.com', ['anna@example.com']],
    ['an angle address with a display name', 'Anna Berger <anna@example.com>', ['anna@example.com']],
    ['a quoted display name holding a comma and brackets', '"Berger, Anna <boss>" <anna@example.com>', ['anna@example.com']],
    ['a comma list (Envelope-To)', 'anna@example.com, bob@example.com,carl@example.com', ['anna@example.com', 'bob@example.com', 'carl@example.com']],
    ['comments, nested and with a comma', 'anna@example.com (Anna (the boss), sales), <bob@example.com> (Bob)', ['anna@example.com', 'bob@example.com']],
    ['a group with members', 'Team: anna@example.com, Bob <bob@example.com>;, carl@example.com', ['anna@example.com', 'bob@example.com', 'carl@example.com']],
    ['an empty group', 'undisclosed-recipients:;', []],
    ['a source route', '<@relay.example.net,@mx.example.org:anna@example.com>', ['anna@example.com']],
    ['the null path', '<>', []],
    ['a bare address behind an unquoted name', 'Anna anna@example.com', ['anna@example.com']],
    ['an unclosed angle bracket', 'Anna <anna@example.com', ['anna@example.com']],
    ['an unclosed comment', 'anna@example.com (Anna', ['anna@example.com']],
    ['empty items', ' , ,anna@example.com,, ', ['anna@example.com']],
    ['an empty value', '', []],
  ])('should read %s', (_case, value, expected) => {
    expect(parseHeaderAddresses(value)).toEqual(expected);
  });

  it('should keep a quoted local part whole so that validation refuses it instead of reading a catch-all', () => {
    expect(parseHeaderAddresses('"a b"@example.com')).toEqual(['"a b"@example.com']);
  });

  it('should return an item with an unclosed quote whole, for validation to refuse', () => {
    expect(parseHeaderAddresses('"Anna <anna@example.com>, bob@example.com')).toEqual(['"Anna <anna@example.com>, bob@example.com']);
  });

  it('should return garbage as written when there is no structure to read', () => {
    expect(parseHeaderAddresses('not an address')).toEqual([]);
    expect(parseHeaderAddresses('nonsense')).toEqual(['nonsense']);
  });
});
