import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId, type IndexSpec } from '@mailbus/mongo-dal';
import type { AccountSyncStateDocument, FolderCheckpointDocument } from './sync-state.documents';

@Injectable()
export class AccountSyncStateRepository extends BaseRepository<AccountSyncStateDocument> {
  static readonly indexes: IndexSpec[] = [
    { collection: 'account_sync_states', key: { nextRunAt: 1 }, options: { name: 'next_run' }, purpose: 'the scheduler: accounts that are due' },
  ];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'account_sync_states' });
  }

  /** Accounts due now, priority first; cross-account on purpose (the scheduler's view). */
  due({ now, limit }: { now: Date; limit: number }): Promise<AccountSyncStateDocument[]> {
    return this.collection.find({ nextRunAt: { $lte: now } }).sort({ priority: -1, nextRunAt: 1 }).limit(limit).toArray();
  }

  /** Ends a run: records its outcome. */
  async finishRun({ accountId, set, unset = [] }: { accountId: AccountId; set: Partial<AccountSyncStateDocument>; unset?: Array<keyof AccountSyncStateDocument> }): Promise<void> {
    await this.updateOne({ filter: { accountId }, update: { $set: set, ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((field) => [field, ''])) } : {}) } });
  }

  /** Makes an account due at `at` (creating its state when new); a running lease is left alone. */
  async schedule({ accountId, at, priority, state }: { accountId: AccountId; at: Date | null; priority?: boolean; state?: AccountSyncStateDocument['state'] }): Promise<void> {
    await this.upsert({
      filter: { accountId, _id: accountId },
      update: {
        $set: { ...(at ? { nextRunAt: at } : {}), ...(priority === undefined ? {} : { priority }), ...(state ? { state } : {}) },
        ...(at ? {} : { $unset: { nextRunAt: '' } }),
        $setOnInsert: { consecutiveFailures: 0, ...(state ? {} : { state: 'idle' as const }) },
      },
    });
  }
}

@Injectable()
export class FolderCheckpointRepository extends BaseRepository<FolderCheckpointDocument> {
  static readonly indexes: IndexSpec[] = [
    { collection: 'folder_checkpoints', key: { accountId: 1, path: 1 }, options: { name: 'account_path_unique', unique: true }, purpose: 'one checkpoint per account folder; all folders of an account' },
  ];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'folder_checkpoints' });
  }

  forAccount(accountId: AccountId): Promise<FolderCheckpointDocument[]> {
    return this.find({ filter: { accountId }, sort: { path: 1 } });
  }
}
