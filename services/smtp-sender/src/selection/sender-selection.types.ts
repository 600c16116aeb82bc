import type { AccountDocument, StoredSendSettings, UserDocument } from '@mailbus/directory';

/** What the outbox request says about its sender (SPEC §4 `POST /v1/outbox`). */
export interface SenderRequest {
  /** Absent for system mail (orders, exports), which must then name `accountId`. */
  userId?: string;
  /** The account the caller chose; skips the FlowFact search but not the checks. */
  accountId?: string;
  /** A bare address (`anna@example.com`); compared normalised and case-insensitively. */
  from?: string;
}

/** The part of a user that selection reads, as account-registry stores it. */
export type SenderUser = Pick<UserDocument, 'addresses' | 'defaultFrom'> & Partial<Pick<UserDocument, 'displayName' | 'active'>> & { id: string };

/**
 * The part of an account that selection reads, as account-registry stores it. `createdAt` may be a
 * Date (the document) or an ISO string (the API view); both order the same.
 */
export type SenderAccount = Pick<AccountDocument, 'email' | 'owners' | 'senders' | 'serviceEnabled'> &
  Partial<Pick<AccountDocument, 'displayName' | 'replyTo' | 'deletedAt' | 'signature'>> & { id: string; send?: Pick<StoredSendSettings, 'enabled'>; createdAt: Date | string };

export interface SelectSenderInput {
  request: SenderRequest;
  /** Undefined for system mail, or when the requested user does not exist. */
  user: SenderUser | undefined;
  /** Candidate accounts in any order; tombstones (`deletedAt`) are ignored. */
  accounts: readonly SenderAccount[];
}

/** A header address; `name` is empty when there is no display name. */
export interface HeaderAddress {
  address: string;
  name: string;
}

/** How the account was found; the FlowFact rule number is in the README. */
export type SenderRule = 'from-address' | 'default-from' | 'first-owned' | 'requested-account' | 'system';

export interface SenderSelected {
  refused: false;
  accountId: string;
  from: HeaderAddress;
  replyTo?: HeaderAddress;
  rule: SenderRule;
}

/** Every refusal is an unusable-settings answer (HTTP 422, SPEC §4); `reason` is for the user. */
export type SenderRefusalCode = 'account_required' | 'unknown_user' | 'user_inactive' | 'invalid_from' | 'no_account' | 'account_disabled' | 'sending_disabled' | 'not_allowed';

export interface SenderRefused {
  refused: true;
  code: SenderRefusalCode;
  reason: string;
}

export type SenderSelection = SenderSelected | SenderRefused;
