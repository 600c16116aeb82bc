import { addressKey } from '@mailbus/mail-protocol';

/** How a lookup key relates to the address it came from; listed from most to least specific. */
export const MATCH_KINDS = ['exact', 'plus', 'catch-all'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export interface LookupKey {
  key: string;
  match: MatchKind;
}

/**
 * The address keys that can own mail for a normalised address, most specific first: the address
 * itself, without its `+tag` (sub-addressing, only when the local part does not start with `+`), and
 * the domain's catch-all `@domain`.
 * @example recipientLookupKeys('Anna+News@example.com') // [{ key: 'anna+news@example.com', match: 'exact' }, { key: 'anna@example.com', match: 'plus' }, { key: '@example.com', match: 'catch-all' }]
 */
export function recipientLookupKeys(address: string): LookupKey[] {
  const key = addressKey(address);
  const at = key.lastIndexOf('@');
  const local = key.slice(0, at);
  const domain = key.slice(at + 1);
  const plus = local.indexOf('+');
  return [{ key, match: 'exact' }, ...(plus > 0 ? [{ key: `${local.slice(0, plus)}@${domain}`, match: 'plus' as const }] : []), { key: `@${domain}`, match: 'catch-all' }];
}
