import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DirectoryCollections, type UserDocument } from '@mailbus/directory';
import { MONGO_DB } from '@mailbus/mongo-dal';

/**
 * Whether an account serves someone who uses mailbus now: one of its owners is an active user
 * (account-registry's `active` flag, which the application clears for people on leave or gone).
 * Such accounts are fetched before the others when more are due than may run (ONLYOFFICE's
 * "priority to active users"); priority accounts go first of all.
 */
@Injectable()
export class OwnerActivityReader {
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  /** Looked up by _id one owner at a time: an account has a handful, and FerretDB filters only _id cheaply. */
  async anyOwnerActive(owners: readonly string[]): Promise<boolean> {
    const users = this.db.collection<UserDocument>(DirectoryCollections.users);
    for (const id of owners) {
      const user = await users.findOne({ _id: id });
      if (user?.active !== false && user) return true;
    }
    return false;
  }
}
