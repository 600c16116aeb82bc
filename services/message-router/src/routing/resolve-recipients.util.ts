import { MATCH_KINDS, recipientLookupKeys, type MatchKind } from './recipient-keys.util';
import type { RecipientOwner, RoutingRuleName } from './routing.types';

export interface UserMatch {
  userId: string;
  rule: RoutingRuleName;
  /** The owner's address key that matched. */
  matchedAddress: string;
}

interface Ranked extends UserMatch {
  rank: [viaGroup: number, match: number, addressIndex: number, memberIndex: number];
}

/**
 * The users the given addresses reach, one match per user, in the order users are first reached.
 *
 * Each address is owned by its most specific key found (exact, then `+tag` stripped, then the
 * domain catch-all): a catch-all only takes what nobody owns exactly. A user reached several ways
 * keeps the most specific reason: a direct match beats a group, a more specific key beats a less
 * specific one, and then the first-listed address (and member) wins.
 *
 * @param addresses normalised, distinct addresses, in message order
 * @param owners the directory's answer for their lookup keys
 * @param directRule the rule of a match on a user's own address; `groupRule` that of a group member
 */
export function resolveRecipients({
  addresses,
  owners,
  directRule,
  groupRule,
}: {
  addresses: string[];
  owners: Map<string, RecipientOwner>;
  directRule: RoutingRuleName;
  groupRule: RoutingRuleName;
}): UserMatch[] {
  const best = new Map<string, Ranked>();
  const offer = (candidate: Ranked) => {
    const current = best.get(candidate.userId);
    if (!current || compareRanks(candidate.rank, current.rank) < 0) best.set(candidate.userId, candidate);
  };
  addresses.forEach((address, addressIndex) => {
    const owned = ownerOf({ address, owners });
    if (!owned) return;
    const { owner, key, match } = owned;
    const matchRank = MATCH_KINDS.indexOf(match);
    if (owner.kind === 'user') {
      offer({ userId: owner.id, rule: directRule, matchedAddress: key, rank: [0, matchRank, addressIndex, 0] });
      return;
    }
    owner.members.forEach((userId, memberIndex) => offer({ userId, rule: groupRule, matchedAddress: key, rank: [1, matchRank, addressIndex, memberIndex] }));
  });
  return [...best.values()].map(({ userId, rule, matchedAddress }) => ({ userId, rule, matchedAddress }));
}

function ownerOf({ address, owners }: { address: string; owners: Map<string, RecipientOwner> }): { owner: RecipientOwner; key: string; match: MatchKind } | undefined {
  for (const { key, match } of recipientLookupKeys(address)) {
    const owner = owners.get(key);
    if (owner) return { owner, key, match };
  }
  return undefined;
}

function compareRanks(a: Ranked['rank'], b: Ranked['rank']): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
