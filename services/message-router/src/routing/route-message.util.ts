import { extractEnvelopeRecipients } from './envelope-recipients.util';
import { distinctAddresses } from './recipient-addresses.util';
import { recipientLookupKeys } from './recipient-keys.util';
import { resolveRecipients, type UserMatch } from './resolve-recipients.util';
import type { Delivery, RecipientDirectory, RoutingAccount, RoutingInput, RoutingRuleName, UserFolderName } from './routing.types';

/**
 * Decides who receives a fetched message, keeping the rule that matched on each delivery. One
 * delivery per user; at least one delivery always (SPEC §3.1: nothing is dropped).
 *
 * - Sent folder: the user(s) owning the From address get it in `sent` (rule `sender-address`).
 * - Otherwise, multidrop accounts route by envelope recipient (rule `envelope-recipient`), other
 *   accounts by To, Cc and Bcc (rule `recipient-address`); group addresses reach their members
 *   (rule `group`). Folder `spam` when the provider said spam or it came from the Junk folder.
 * - Nothing matched: the account's owners (`account-owner`); no owners: one `unassigned` delivery.
 *
 * The only I/O is one `directory.findOwners` call for at most MAX_LOOKUP_ADDRESSES addresses.
 *
 * @example await routeMessage({ account, folderRole: 'inbox', headers: [], to: [{ address: 'anna+news@example.com', name: '' }], cc: [], bcc: [], spam: false }, directory)
 * // [{ userId: 'anna', folder: 'inbox', rule: 'recipient-address', matchedAddress: 'anna@example.com' }]
 */
export async function routeMessage(input: RoutingInput, directory: RecipientDirectory): Promise<Delivery[]> {
  if (input.folderRole === 'sent') {
    const matches = await matchAddresses({ addresses: input.from ? [input.from.address] : [], directory, directRule: 'sender-address', groupRule: 'sender-address' });
    return withFallback({ matches, account: input.account, folder: 'sent' });
  }
  const folder: UserFolderName = input.spam || input.folderRole === 'junk' ? 'spam' : 'inbox';
  const { multidrop } = input.account;
  const envelope = multidrop.enabled ? extractEnvelopeRecipients({ headers: input.headers, envelopeHeader: multidrop.envelopeHeader, skip: multidrop.skip }) : undefined;
  // A multidrop message without any envelope recipient is routed by To/Cc/Bcc like any other: that
  // guess misses Bcc'd and mailing-list mail (sync rule 22), which then goes to the owners below.
  // Envelope recipients that were found but match nobody do NOT fall back to To/Cc (rule 25).
  const matches = envelope
    ? await matchAddresses({ addresses: envelope.addresses, directory, directRule: 'envelope-recipient', groupRule: 'group' })
    : await matchAddresses({ addresses: [...input.to, ...input.cc, ...input.bcc].map(({ address }) => address), directory, directRule: 'recipient-address', groupRule: 'group' });
  return withFallback({ matches, account: input.account, folder });
}

async function matchAddresses({
  addresses,
  directory,
  directRule,
  groupRule,
}: {
  addresses: string[];
  directory: RecipientDirectory;
  directRule: RoutingRuleName;
  groupRule: RoutingRuleName;
}): Promise<UserMatch[]> {
  const distinct = distinctAddresses({ addresses });
  if (distinct.length === 0) return [];
  const keys = [...new Set(distinct.flatMap((address) => recipientLookupKeys(address).map(({ key }) => key)))];
  const owners = await directory.findOwners(keys);
  return resolveRecipients({ addresses: distinct, owners, directRule, groupRule });
}

/** Unmatched mail goes to the account's owners, and without owners to the admins' queue (sync rule 23). */
function withFallback({ matches, account, folder }: { matches: UserMatch[]; account: RoutingAccount; folder: UserFolderName }): Delivery[] {
  if (matches.length > 0) return matches.map((match) => ({ ...match, folder }));
  return ownersOrUnassigned({ owners: account.owners, folder });
}

/** The account's owners (`account-owner`), or one `unassigned` delivery when it has none: also where quarantined mail goes. */
export function ownersOrUnassigned({ owners, folder }: { owners: readonly string[]; folder: UserFolderName }): Delivery[] {
  const distinct = [...new Set(owners)];
  if (distinct.length > 0) return distinct.map((userId) => ({ userId, folder, rule: 'account-owner', matchedAddress: '' }));
  return [{ userId: null, folder: 'unassigned', rule: 'unassigned', matchedAddress: '' }];
}
