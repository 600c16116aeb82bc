import type { Db } from 'mongodb';
import type { AccountDocument } from './directory.documents';

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

/** One account by id, for the services that read account-registry's accounts (deleted ones are tombstones with `deletedAt`). */
export function findAccount(db: Db, id: string): Promise<AccountDocument | null> {
  return db.collection<AccountDocument>(DirectoryCollections.accounts).findOne({ _id: id });
}
