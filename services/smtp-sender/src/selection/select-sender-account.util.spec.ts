import { describe, expect, it } from 'vitest';
import { senderAccountFactory, senderUserFactory } from '../../test/factories/sender-account.factory';
import { orderAccounts, selectSenderAccount } from './select-sender-account.util';
import type { SenderAccount, SenderRefusalCode, SenderRequest, SenderSelected, SenderUser } from './sender-selection.types';

const at = (iso: string) => new Date(iso);

const accounts: SenderAccount[] = [
  senderAccountFactory({
    id: 'sales',
    email: 'sales@company.example',
    displayName: 'ACME Sales',
    replyTo: 'replies@company.example',
    owners: ['anna'],
    senders: ['bob'],
    createdAt: at('2025-01-02T00:00:00Z'),
  }),
  senderAccountFactory({ id: 'anna-main', email: 'anna@company.example', displayName: 'Anna Berger', owners: ['anna'], createdAt: '2025-01-03T00:00:00.000Z' }),
  senderAccountFactory({ id: 'support', email: 'support@xn--mller-kva.example', displayName: 'Müller Support', owners: ['bob'], createdAt: at('2025-01-01T00:00:00Z') }),
  senderAccountFactory({ id: 'old', email: 'old@company.example', serviceEnabled: false, owners: ['anna', 'dora'], createdAt: at('2024-01-01T00:00:00Z') }),
  senderAccountFactory({ id: 'no-send', email: 'nosend@company.example', send: { enabled: false }, owners: ['anna'], createdAt: at('2024-06-01T00:00:00Z') }),
  senderAccountFactory({ id: 'no-smtp', email: 'nosmtp@company.example', send: undefined, owners: ['frank'], createdAt: at('2024-06-01T00:00:00Z') }),
  senderAccountFactory({ id: 'gone', email: 'gone@company.example', owners: ['anna'], createdAt: at('2020-01-01T00:00:00Z'), deletedAt: at('2025-02-01T00:00:00Z') }),
  senderAccountFactory({ id: 'ceo', email: 'ceo@company.example', owners: ['ceo'], createdAt: at('2025-01-01T00:00:00Z') }),
  senderAccountFactory({ id: 'eva-b', email: 'eva-b@company.example', owners: ['eva'], createdAt: at('2025-03-01T00:00:00Z') }),
  senderAccountFactory({ id: 'eva-a', email: 'eva-a@company.example', owners: ['eva'], createdAt: '2025-03-01T00:00:00Z' }),
];

const users: Record<string, SenderUser> = {
  anna: senderUserFactory({ id: 'anna', displayName: 'Anna Berger', addresses: ['anna@company.example', 'Anna@xn--mller-kva.example', '@anna.example'], defaultFrom: 'sales@company.example' }),
  annaNoDefault: senderUserFactory({ id: 'anna', displayName: 'Anna Berger', addresses: ['anna@company.example', 'Anna@xn--mller-kva.example', '@anna.example'] }),
  annaHome: senderUserFactory({ id: 'anna', displayName: 'Anna Berger', addresses: ['anna@company.example', 'anna.home@company.example'], defaultFrom: 'anna.home@company.example' }),
  annaNoSendDefault: senderUserFactory({ id: 'anna', addresses: ['anna@company.example'], defaultFrom: 'nosend@company.example' }),
  bob: senderUserFactory({ id: 'bob', displayName: 'Bob', addresses: ['bob@company.example'] }),
  carl: senderUserFactory({ id: 'carl', displayName: 'Carl', addresses: ['carl@company.example'] }),
  dora: senderUserFactory({ id: 'dora', displayName: 'Dora', addresses: ['dora@company.example'] }),
  eva: senderUserFactory({ id: 'eva', displayName: 'Eva', addresses: ['eva@company.example'] }),
  frank: senderUserFactory({ id: 'frank', displayName: 'Frank', addresses: ['frank@company.example'] }),
  inactive: senderUserFactory({ id: 'ina', addresses: ['ina@company.example'], active: false }),
};

const sales = { address: 'sales@company.example', name: 'ACME Sales' };
const salesReplyTo = { address: 'replies@company.example', name: 'ACME Sales' };
const select = (request: SenderRequest, user?: SenderUser) => selectSenderAccount({ request, user, accounts });

describe(selectSenderAccount.name, () => {
  it.each<[string, SenderRequest, SenderUser | undefined, Omit<SenderSelected, 'refused'>]>([
    [
      'should pick the account with the From address when From matches it (rule 1)',
      { userId: 'anna', from: 'sales@company.example' },
      users.anna,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'from-address' },
    ],
    [
      'should compare From case-insensitively and IDN-normalised when matching accounts (rule 1)',
      { userId: 'bob', from: ' SUPPORT@Müller.Example ' },
      users.bob,
      { accountId: 'support', from: { address: 'support@xn--mller-kva.example', name: 'Müller Support' }, rule: 'from-address' },
    ],
    [
      'should let an allowed sender use the From account when the user is not an owner (rule 1)',
      { userId: 'bob', from: 'Sales@Company.example' },
      users.bob,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'from-address' },
    ],
    ['should use the default From when the request has none (rule 2)', { userId: 'anna' }, users.anna, { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'default-from' }],
    [
      'should pick the first usable owned account when there is no From and no default (rule 3)',
      { userId: 'anna' },
      users.annaNoDefault,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'first-owned' },
    ],
    [
      'should keep the user own From on the first owned account when no account has that address (rule 3)',
      { userId: 'anna', from: 'anna@MÜLLER.example' },
      users.annaNoDefault,
      { accountId: 'sales', from: { address: 'anna@xn--mller-kva.example', name: 'Anna Berger' }, replyTo: salesReplyTo, rule: 'first-owned' },
    ],
    [
      'should use the account From when the given From is not the user own (rule 3)',
      { userId: 'anna', from: 'stranger@else.example' },
      users.annaNoDefault,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'first-owned' },
    ],
    [
      'should not treat a catch-all as an own address when deciding From (rule 3)',
      { userId: 'anna', from: 'anything@anna.example' },
      users.annaNoDefault,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'first-owned' },
    ],
    [
      'should send as the default From on the first owned account when no account has it (rules 2 then 3)',
      { userId: 'anna' },
      users.annaHome,
      { accountId: 'sales', from: { address: 'anna.home@company.example', name: 'Anna Berger' }, replyTo: salesReplyTo, rule: 'first-owned' },
    ],
    [
      'should break a createdAt tie by id when two owned accounts are equally old (rule 3)',
      { userId: 'eva' },
      users.eva,
      { accountId: 'eva-a', from: { address: 'eva-a@company.example', name: '' }, rule: 'first-owned' },
    ],
    [
      'should use the named account when the caller chose one',
      { userId: 'anna', accountId: 'anna-main' },
      users.annaNoDefault,
      { accountId: 'anna-main', from: { address: 'anna@company.example', name: 'Anna Berger' }, rule: 'requested-account' },
    ],
    ['should send a system mail from the named account', { accountId: 'sales' }, undefined, { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'system' }],
    [
      'should use the account From for a system mail when another From is given',
      { accountId: 'sales', from: 'anna@company.example' },
      users.anna,
      { accountId: 'sales', from: sales, replyTo: salesReplyTo, rule: 'system' },
    ],
  ])('%s', (_name, request, user, expected) => {
    expect(select(request, user)).toEqual({ refused: false, ...expected });
  });

  it.each<[string, SenderRequest, SenderUser | undefined, SenderRefusalCode, RegExp]>([
    ['should refuse a system mail when it names no account', {}, undefined, 'account_required', /must name the accountId/],
    ['should refuse a system mail when its account does not exist', { accountId: 'nope' }, undefined, 'no_account', /account nope does not exist/],
    ['should refuse a system mail when its account is deleted', { accountId: 'gone' }, undefined, 'no_account', /account gone does not exist/],
    ['should refuse a system mail when its account is disabled for the service', { accountId: 'old' }, undefined, 'account_disabled', /old \(old@company.example\) is disabled for the service/],
    ['should refuse a system mail when its account has sending disabled', { accountId: 'no-send' }, undefined, 'sending_disabled', /sending is disabled for account no-send/],
    ['should refuse a system mail when its account has no SMTP settings', { accountId: 'no-smtp' }, undefined, 'sending_disabled', /no SMTP settings/],
    ['should refuse when the user does not exist', { userId: 'ghost' }, undefined, 'unknown_user', /user ghost does not exist/],
    ['should refuse when the user is inactive', { userId: 'ina' }, users.inactive, 'user_inactive', /inactive/],
    ['should refuse when From is not an address', { userId: 'anna', from: 'Anna <anna@company.example>' }, users.anna, 'invalid_from', /without a display name/],
    ['should refuse rather than fall through when the From account is disabled (rule 1)', { userId: 'anna', from: 'old@company.example' }, users.anna, 'account_disabled', /disabled for the service/],
    [
      'should refuse when the user may not send with the From account (rule 1)',
      { userId: 'anna', from: 'ceo@company.example' },
      users.anna,
      'not_allowed',
      /anna is neither an owner nor an allowed sender of account ceo/,
    ],
    [
      'should refuse rather than fall through when the default From account cannot send (rule 2)',
      { userId: 'anna' },
      users.annaNoSendDefault,
      'sending_disabled',
      /sending is disabled for account no-send/,
    ],
    ['should refuse when the user owns no account (rule 3)', { userId: 'carl' }, users.carl, 'no_account', /carl owns no account/],
    [
      'should name the wanted From when nothing matches and the user owns no account (rule 3)',
      { userId: 'carl', from: 'carl@company.example' },
      users.carl,
      'no_account',
      /no account sends as carl@company.example/,
    ],
    ['should refuse with the first owned account reason when none of them can send (rule 3)', { userId: 'dora' }, users.dora, 'account_disabled', /account old/],
    ['should refuse when the only owned account has no SMTP settings (rule 3)', { userId: 'frank' }, users.frank, 'sending_disabled', /no SMTP settings/],
    ['should refuse when the user may not send with the named account', { userId: 'carl', accountId: 'sales' }, users.carl, 'not_allowed', /carl is neither/],
    ['should refuse when the named account does not exist', { userId: 'anna', accountId: 'nope' }, users.anna, 'no_account', /account nope does not exist/],
  ])('%s', (_name, request, user, code, reason) => {
    const result = select(request, user);
    expect(result).toMatchObject({ refused: true, code });
    expect(result.refused && result.reason).toMatch(reason);
  });

  it('should not depend on the order of the candidate accounts', () => {
    const reversed = selectSenderAccount({ request: { userId: 'anna' }, user: users.annaNoDefault, accounts: [...accounts].reverse() });
    expect(reversed).toEqual(select({ userId: 'anna' }, users.annaNoDefault));
  });
});

describe(orderAccounts.name, () => {
  it('should order by createdAt then id when dates are Dates or ISO strings', () => {
    const sut = orderAccounts([
      { id: 'c', createdAt: '2025-01-02T00:00:00Z' },
      { id: 'b', createdAt: at('2025-01-01T00:00:00Z') },
      { id: 'x', createdAt: 'not a date' },
      { id: 'a', createdAt: '2025-01-01T00:00:00.000Z' },
    ]);
    expect(sut.map(({ id }) => id)).toEqual(['a', 'b', 'c', 'x']);
  });
});
