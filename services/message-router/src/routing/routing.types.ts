import type { EnvelopeHeader, RoutingRuleName, UserFolderName } from '@mailbus/contracts';

import type { HeaderLine, MailAddress } from '@mailbus/mime';

/** The parser's types: routing reads what parseMessage produces. */
export type { HeaderLine, MailAddress };

/** The part of an account that routing needs; `owners` are user ids, in the account's order. */
export interface RoutingAccount {
  id: string;
  owners: string[];
  multidrop: { enabled: boolean; envelopeHeader: EnvelopeHeader; skip: number };
}

/** The server folder's role (FolderRole in the proto); `other` is routed like `inbox`. */
export type FolderRoleName = 'inbox' | 'sent' | 'junk' | 'other';

export interface RoutingInput {
  account: RoutingAccount;
  folderRole: FolderRoleName;
  /** In message order, top first (the topmost trace header was added last). */
  headers: HeaderLine[];
  from?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  /** The provider's verdict, computed elsewhere. */
  spam: boolean;
}

/** Who owns an address key: a user, or a group and its members (user ids). */
export interface RecipientOwner {
  kind: 'user' | 'group';
  id: string;
  /** Member user ids of a group; empty for a user. */
  members: string[];
  /** The owned address as stored (a catch-all is `@domain`). */
  address: string;
}

/** Read-only view of the address claims; the only I/O routing does. */
export interface RecipientDirectory {
  /** Owners of the given address keys (only those found), keyed by address key. */
  findOwners(keys: string[]): Promise<Map<string, RecipientOwner>>;
}

export type { RoutingRuleName, UserFolderName } from '@mailbus/contracts';

export interface Delivery {
  /** null: nobody matched and the account has no owners; the delivery waits in the `unassigned` queue. */
  userId: string | null;
  folder: UserFolderName;
  rule: RoutingRuleName;
  /** The user's or group's address key that matched (a catch-all is `@domain`); empty for account-owner and unassigned. */
  matchedAddress: string;
}
