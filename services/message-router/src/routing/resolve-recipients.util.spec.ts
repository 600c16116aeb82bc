import { describe, expect, it } from 'vitest';
import { resolveRecipients } from './resolve-recipients.util';
import type { RecipientOwner } from './routing.types';

const user = (id: string, address: string): [string, RecipientOwner] => [address, { kind: 'user', id, members: [], address }];
const group = (id: string, address: string, members: string[]): [string, RecipientOwner] => [address, { kind: 'group', id, members, address }];

const owners = new Map<string, RecipientOwner>([
  user('anna', 'anna@example.com'),
  user('bob', 'bob@example.com'),
  user('news-bob', 'anna+news@example.com'),
  user('catcher', '@example.com'),
  group('sales', 'sales@example.com', ['carl', 'anna', 'dora', 'carl']),
  group('all', '@example.org', ['eva', 'bob']),
]);

const resolve = (addresses: string[]) => resolveRecipients({ addresses, owners, directRule: 'recipient-address', groupRule: 'group' });

describe(resolveRecipients.name, () => {
  it.each([
    ['an exact address', ['Anna@Example.com'], [['anna', 'recipient-address', 'anna@example.com']]],
    ['a +tag to the plain address', ['anna+invoices@example.com'], [['anna', 'recipient-address', 'anna@example.com']]],
    ['a +tag someone owns exactly to that owner only', ['anna+news@example.com'], [['news-bob', 'recipient-address', 'anna+news@example.com']]],
    ['an unowned address to the catch-all', ['nobody@example.com'], [['catcher', 'recipient-address', '@example.com']]],
    [
      'a group to its members once each, in member order',
      ['sales@example.com'],
      [
        ['carl', 'group', 'sales@example.com'],
        ['anna', 'group', 'sales@example.com'],
        ['dora', 'group', 'sales@example.com'],
      ],
    ],
    [
      'a group catch-all to its members',
      ['x@example.org'],
      [
        ['eva', 'group', '@example.org'],
        ['bob', 'group', '@example.org'],
      ],
    ],
    ['an address of an unknown domain to nobody', ['anna@example.net'], []],
  ])('should route %s', (_case, addresses, expected) => {
    expect(resolve(addresses).map(({ userId, rule, matchedAddress }) => [userId, rule, matchedAddress])).toEqual(expected);
  });

  it('should keep the direct match when a user is also reached through a group, in first-reached order', () => {
    const sut = resolve(['sales@example.com', 'anna@example.com']);
    expect(sut).toEqual([
      { userId: 'carl', rule: 'group', matchedAddress: 'sales@example.com' },
      { userId: 'anna', rule: 'recipient-address', matchedAddress: 'anna@example.com' },
      { userId: 'dora', rule: 'group', matchedAddress: 'sales@example.com' },
    ]);
  });

  it('should prefer an exact address over the catch-all when both reach the user', () => {
    const sut = resolveRecipients({
      addresses: ['other@example.com', 'catchall-owner@example.com'],
      owners: new Map([user('catcher', '@example.com'), user('catcher', 'catchall-owner@example.com')]),
      directRule: 'recipient-address',
      groupRule: 'group',
    });
    expect(sut).toEqual([{ userId: 'catcher', rule: 'recipient-address', matchedAddress: 'catchall-owner@example.com' }]);
  });

  it('should keep the first-listed address when a user is reached twice the same way', () => {
    expect(resolve(['bob@example.com', 'BOB@example.com', 'x@example.org'])).toEqual([
      { userId: 'bob', rule: 'recipient-address', matchedAddress: 'bob@example.com' },
      { userId: 'eva', rule: 'group', matchedAddress: '@example.org' },
    ]);
  });

  it('should use the rules it is given', () => {
    const sut = resolveRecipients({ addresses: ['anna@example.com', 'sales@example.com'], owners, directRule: 'envelope-recipient', groupRule: 'sender-address' });
    expect(sut.map(({ rule }) => rule)).toEqual(['envelope-recipient', 'sender-address', 'sender-address']);
  });
});
