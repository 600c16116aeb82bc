import { InvalidAddressError, addressKey, isCatchAllAddress, normalizeAddress } from '@mailbus/mail-protocol';
import type { HeaderAddress, SelectSenderInput, SenderAccount, SenderRefusalCode, SenderRefused, SenderRule, SenderSelection, SenderUser } from './sender-selection.types';

/**
 * Chooses the account that sends an outbox request and the From and Reply-To headers, by FlowFact's
 * rules (SPEC §1; the full table is in this folder's README). Pure: the caller loads the user and the
 * candidate accounts. Never throws for bad input; it refuses with a code and a reason instead.
 * @example
 * selectSenderAccount({ request: { userId: 'anna', from: 'sales@example.com' }, user, accounts })
 * // { refused: false, accountId: 'acc-sales', rule: 'from-address', from: { address: 'sales@example.com', name: 'ACME Sales' } }
 */
export function selectSenderAccount({ request, user, accounts }: SelectSenderInput): SenderSelection {
  const candidates = orderAccounts(accounts.filter((account) => !account.deletedAt));
  let requestedFrom: string | undefined;
  if (request.from !== undefined) {
    try {
      requestedFrom = normalizeAddress(request.from);
    } catch (error) {
      if (error instanceof InvalidAddressError) return refuse('invalid_from', `the From address is not usable: ${error.message}`);
      throw error;
    }
  }

  if (request.userId === undefined) {
    if (request.accountId === undefined) return refuse('account_required', 'a system mail (no userId) must name the accountId that sends it');
    const account = candidates.find(({ id }) => id === request.accountId);
    if (!account) return refuse('no_account', `account ${request.accountId} does not exist`);
    return unusable(account) ?? selected({ account, rule: 'system', from: accountFrom(account) });
  }

  if (!user) return refuse('unknown_user', `user ${request.userId} does not exist`);
  if (user.active === false) return refuse('user_inactive', `user ${user.id} is inactive`);

  const found = findUserAccount({ request, requestedFrom, user, candidates });
  if ('refused' in found) return found;
  const { account, rule } = found;
  const refusal = notAllowed({ account, user }) ?? unusable(account);
  if (refusal) return refusal;
  const headerFrom = requestedFrom ?? (rule === 'from-address' ? undefined : safeNormalize(user.defaultFrom));
  return selected({ account, rule, from: userFrom({ account, user, headerFrom }) });
}

/**
 * The deterministic order behind "the first account": oldest `createdAt` first, then `id`
 * (code-unit order) for accounts created in the same millisecond. Returns a new array.
 */
export function orderAccounts<T extends Pick<SenderAccount, 'id' | 'createdAt'>>(accounts: readonly T[]): T[] {
  const time = (account: T): number => {
    const value = new Date(account.createdAt).getTime();
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  };
  return [...accounts].sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

type Found = { account: SenderAccount; rule: SenderRule } | SenderRefused;

function findUserAccount({
  request,
  requestedFrom,
  user,
  candidates,
}: {
  request: SelectSenderInput['request'];
  requestedFrom: string | undefined;
  user: SenderUser;
  candidates: SenderAccount[];
}): Found {
  if (request.accountId !== undefined) {
    const account = candidates.find(({ id }) => id === request.accountId);
    return account ? { account, rule: 'requested-account' } : refuse('no_account', `account ${request.accountId} does not exist`);
  }
  // Rule 1. An explicit From names its account: when that account cannot send, the request is refused
  // rather than quietly sent from another one.
  if (requestedFrom !== undefined) {
    const account = byAddress({ candidates, address: requestedFrom });
    if (account) return { account, rule: 'from-address' };
  }
  // Rule 2, only when the request has no From at all. Refused like rule 1 when that account cannot send.
  const defaultFrom = request.from === undefined ? safeNormalize(user.defaultFrom) : undefined;
  if (defaultFrom !== undefined) {
    const account = byAddress({ candidates, address: defaultFrom });
    if (account) return { account, rule: 'default-from' };
  }
  // Rule 3: the first owned account that can send ("only accounts enabled for the service send").
  const owned = candidates.filter(({ owners }) => owners.includes(user.id));
  const account = owned.find((candidate) => !unusable(candidate));
  if (account) return { account, rule: 'first-owned' };
  const first = owned[0];
  if (first) return unusable(first) as SenderRefused;
  const wanted = requestedFrom ?? defaultFrom;
  return refuse('no_account', wanted ? `no account sends as ${wanted} and user ${user.id} owns no account` : `user ${user.id} owns no account`);
}

function byAddress({ candidates, address }: { candidates: SenderAccount[]; address: string }): SenderAccount | undefined {
  const key = addressKey(address);
  return candidates.find((account) => keyOf(account.email) === key);
}

function notAllowed({ account, user }: { account: SenderAccount; user: SenderUser }): SenderRefused | undefined {
  if (account.owners.includes(user.id) || account.senders.includes(user.id)) return undefined;
  return refuse('not_allowed', `user ${user.id} is neither an owner nor an allowed sender of account ${label(account)}`);
}

function unusable(account: SenderAccount): SenderRefused | undefined {
  if (!account.serviceEnabled) return refuse('account_disabled', `account ${label(account)} is disabled for the service`);
  if (!account.send) return refuse('sending_disabled', `account ${label(account)} has no SMTP settings`);
  if (!account.send.enabled) return refuse('sending_disabled', `sending is disabled for account ${label(account)}`);
  return undefined;
}

/**
 * The From header of a user's mail: the requested address when it is one of the user's own (exact
 * addresses; a catch-all grants nothing), else the account's. Permission on the account was checked
 * before, so "the account is theirs" holds here.
 */
function userFrom({ account, user, headerFrom }: { account: SenderAccount; user: SenderUser; headerFrom: string | undefined }): HeaderAddress {
  if (headerFrom === undefined) return accountFrom(account);
  const key = addressKey(headerFrom);
  if (key === keyOf(account.email)) return accountFrom(account);
  const own = user.addresses.some((address) => !isCatchAllAddress(address) && keyOf(address) === key);
  return own ? { address: headerFrom, name: user.displayName ?? '' } : accountFrom(account);
}

const accountFrom = (account: SenderAccount): HeaderAddress => ({ address: account.email, name: account.displayName ?? '' });

function selected({ account, rule, from }: { account: SenderAccount; rule: SenderRule; from: HeaderAddress }): SenderSelection {
  return { refused: false, accountId: account.id, from, ...(account.replyTo ? { replyTo: { address: account.replyTo, name: account.displayName ?? '' } } : {}), rule };
}

const refuse = (code: SenderRefusalCode, reason: string): SenderRefused => ({ refused: true, code, reason });

const label = (account: SenderAccount): string => `${account.id} (${account.email})`;

/** Stored addresses are already normalised; anything that is not still compares by its lower case. */
function keyOf(address: string): string {
  return addressKey(safeNormalize(address) ?? address.trim());
}

function safeNormalize(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  try {
    return normalizeAddress(address);
  } catch {
    return undefined;
  }
}
