import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { BaseRepository, MONGO_DB, type AccountId, type IndexSpec } from '@mailbus/mongo-dal';
import { SYNC_STATES, type SyncState } from '@mailbus/contracts';
import type { AccountSyncStateDocument, FolderCheckpointDocument } from './sync-state.documents';

/** The fleet's schedule as the metrics show it (cross-account, no account in it). */
export interface ScheduleLag {
  /** The earliest nextRunAt that is already due: how long the longest-waiting account has waited. */
  oldestDueAt?: Date;
  /** Due for longer than the grace given. */
  overdue: number;
  /** The oldest lastSuccessAt among enabled accounts that are not failing (idle or syncing). */
  oldestSuccessAt?: Date;
}

export type FetchedCount = { add: number } | { total: number };

@Injectable()
export class AccountSyncStateRepository extends BaseRepository<AccountSyncStateDocument> {
  static readonly indexes: IndexSpec[] = [
    { collection: 'account_sync_states', key: { nextRunAt: 1 }, options: { name: 'next_run' }, purpose: 'the scheduler: accounts that are due; metrics: oldest due, overdue count' },
    {
      collection: 'account_sync_states',
      key: { state: 1, lastSuccessAt: 1 },
      options: { name: 'state_last_success' },
      purpose: 'metrics: accounts per state (count), the enabled account longest without a success',
    },
  ];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'account_sync_states' });
  }

  /** Accounts due now, priority first, then those of active users; cross-account on purpose (the scheduler's view). */
  due({ now, limit }: { now: Date; limit: number }): Promise<AccountSyncStateDocument[]> {
    return this.collection
      .find({ nextRunAt: { $lte: now } })
      .sort({ priority: -1, ownersActive: -1, nextRunAt: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Accounts whose last run stopped at its budget and that come back before `by`, soonest first; the
   * scheduler starts them early when no account is due (cross-account on purpose, like `due`). Not one
   * whose POP3 server's LOGIN-DELAY runs until after `now`: started early, it could not log in.
   */
  backlogsDueBy({ by, limit, now = new Date() }: { by: Date; limit: number; now?: Date }): Promise<AccountSyncStateDocument[]> {
    return this.collection
      .find({ nextRunAt: { $lte: by }, 'lastRun.more': true, loginNotBefore: { $not: { $gt: now } } })
      .sort({ nextRunAt: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Ends a run: records its outcome.
   * @param fetched messages to add to fetchedTotal, or the recounted total that replaces it
   * @param loginNotBefore the LOGIN-DELAY of the run's login; it only ever moves later ($max)
   */
  async finishRun({ accountId, set, unset = [], fetched, loginNotBefore }: { accountId: AccountId; set: Partial<AccountSyncStateDocument>; unset?: Array<keyof AccountSyncStateDocument>; fetched?: FetchedCount; loginNotBefore?: Date }): Promise<void> {
    const total = fetched && 'total' in fetched ? { fetchedTotal: fetched.total } : {};
    const added = fetched && 'add' in fetched && fetched.add > 0 ? { $inc: { fetchedTotal: fetched.add } } : {};
    const delay = loginNotBefore ? { $max: { loginNotBefore } } : {};
    await this.updateOne({ filter: { accountId }, update: { $set: { ...set, ...total }, ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((field) => [field, ''])) } : {}), ...added, ...delay } });
  }

  /** Accounts per state across the fleet (metrics): one indexed count per state. */
  async countByState(): Promise<Record<SyncState, number>> {
    const counts = await Promise.all(SYNC_STATES.map((state) => this.collection.countDocuments({ state })));
    return Object.fromEntries(SYNC_STATES.map((state, n) => [state, counts[n] ?? 0])) as Record<SyncState, number>;
  }

  /** How far the schedule lags (metrics): three indexed look-ups, no scan. */
  async scheduleLag({ now, overdueAfterMs }: { now: Date; overdueAfterMs: number }): Promise<ScheduleLag> {
    const [oldestDue, overdue, oldestSuccess] = await Promise.all([
      this.collection
        .find({ nextRunAt: { $lte: now } }, { projection: { nextRunAt: 1 } })
        .sort({ nextRunAt: 1 })
        .limit(1)
        .next(),
      this.collection.countDocuments({ nextRunAt: { $lte: new Date(now.getTime() - overdueAfterMs) } }),
      this.collection
        .find({ state: { $in: ['idle', 'syncing'] }, lastSuccessAt: { $exists: true } }, { projection: { lastSuccessAt: 1 } })
        .sort({ lastSuccessAt: 1 })
        .limit(1)
        .next(),
    ]);
    return { oldestDueAt: oldestDue?.nextRunAt, overdue, oldestSuccessAt: oldestSuccess?.lastSuccessAt };
  }

  /**
   * Ends a disablement by the fetcher (state idle, due at `at`); a no-op for an account that is not
   * disabled by it. The failure streak stays: only a completed run resets it (rule 31).
   */
  async reEnable({ accountId, at, priority, ownersActive }: { accountId: AccountId; at: Date; priority?: boolean; ownersActive?: boolean }): Promise<boolean> {
    const { matched } = await this.updateOne({
      filter: { accountId, disabled: { $exists: true } },
      update: { $set: { state: 'idle', nextRunAt: at, ...(priority === undefined ? {} : { priority }), ...(ownersActive === undefined ? {} : { ownersActive }) }, $unset: { disabled: '', authFailingSince: '' } },
    });
    return matched;
  }

  /** Makes an account due at `at` (creating its state when new); a running lease is left alone. */
  async schedule({ accountId, at, priority, ownersActive, state, force }: { accountId: AccountId; at: Date | null; priority?: boolean; ownersActive?: boolean; state?: AccountSyncStateDocument['state']; force?: boolean }): Promise<void> {
    await this.upsert({
      filter: { accountId, _id: accountId },
      update: {
        $set: { ...(at ? { nextRunAt: at } : {}), ...(priority === undefined ? {} : { priority }), ...(ownersActive === undefined ? {} : { ownersActive }), ...(state ? { state } : {}), ...(force ? { forceRun: true } : {}) },
        ...(at ? {} : { $unset: { nextRunAt: '' } }),
        $setOnInsert: { consecutiveFailures: 0, ...(state ? {} : { state: 'idle' as const }) },
      },
    });
  }
}

@Injectable()
export class FolderCheckpointRepository extends BaseRepository<FolderCheckpointDocument> {
  static readonly indexes: IndexSpec[] = [
    {
      collection: 'folder_checkpoints',
      key: { accountId: 1, path: 1 },
      options: { name: 'account_path_unique', unique: true },
      purpose: 'one checkpoint per account folder; all folders of an account',
    },
  ];

  constructor(@Inject(MONGO_DB) db: Db) {
    super({ db, collection: 'folder_checkpoints' });
  }

  forAccount(accountId: AccountId): Promise<FolderCheckpointDocument[]> {
    return this.find({ filter: { accountId }, sort: { path: 1 } });
  }
}
