/**
 * Collections written by account-registry only (one writer); the other services read them: the
 * fetcher and smtp-sender read accounts, message-router reads address claims, users and groups.
 */
export const DirectoryCollections = {
  users: 'users',
  groups: 'groups',
  accounts: 'accounts',
  addressClaims: 'address_claims',
} as const;
