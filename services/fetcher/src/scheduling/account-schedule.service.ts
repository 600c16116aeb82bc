import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import { AccountChange, type AccountChanged } from '@mailbus/contracts';
import { findAccount, type AccountDocument } from '@mailbus/directory';
import { OwnerActivityReader } from './owner-activity.reader';
import { MONGO_DB, type AccountId } from '@mailbus/mongo-dal';
import { nextActiveTime } from '../runs/active-hours.util';
import { AccountSyncStateRepository } from '../sync-status/sync-state.repositories';
import { FetchScheduler } from './fetch-scheduler';

/** Settings whose change should make the account run now rather than at its next turn. */
const RUN_NOW_ON = new Set(['receive', 'credentials', 'serviceEnabled']);

/**
 * When an account runs, apart from the runs themselves (which set their own next run): on a change
 * in the registry, on an admin's "sync now", and when a connection test proves a disabled account's
 * saved settings work. Active hours apply everywhere except to "sync now", an explicit request by a
 * person that runs the account once at any hour (its next run is inside the hours again).
 */
@Injectable()
export class AccountScheduleService {
  private readonly logger = new Logger(AccountScheduleService.name);

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly states: AccountSyncStateRepository,
    private readonly scheduler: FetchScheduler,
    private readonly ownerActivity: OwnerActivityReader,
  ) {}

  /**
   * The account is read fresh, so redelivered or reordered events cannot schedule an outdated state.
   * Any update after the fetcher disabled the account enables it again (rule 32: re-enabling is
   * easy); an event of the revision it was disabled at, or older, does not.
   */
  async onAccountChanged({ accountId, event }: { accountId: AccountId; event: Pick<AccountChanged, 'change' | 'changedSettings'> }): Promise<void> {
    const account = await this.account(accountId);
    const fetchable = account && !account.deletedAt && account.serviceEnabled && account.receive?.enabled;
    if (!account || !fetchable) {
      await this.states.schedule({ accountId, at: null, state: 'disabled' });
      return;
    }
    const current = await this.states.findOne({ accountId });
    const ownersActive = await this.ownerActivity.anyOwnerActive(account.owners);
    const firstRun = nextActiveTime({ at: new Date(), activeHours: account.receive?.activeHours });
    if (current?.disabled) {
      if (account.revision <= current.disabled.accountRevision) return;
      await this.states.reEnable({ accountId, at: firstRun, priority: account.priority, ownersActive });
      this.logger.log({ msg: 'account enabled again after an update', accountId, revision: account.revision, nextRunAt: firstRun });
      this.scheduler.tickSoon();
      return;
    }
    const runNow = event.change === AccountChange.CREATED || event.changedSettings.some((setting) => RUN_NOW_ON.has(setting));
    if (runNow) {
      await this.states.schedule({ accountId, at: firstRun, priority: account.priority, ownersActive, state: 'idle' });
      this.scheduler.tickSoon();
    } else await this.states.schedule({ accountId, at: current?.nextRunAt ?? firstRun, priority: account.priority, ownersActive });
  }

  /** "Fetch now": due at once, even outside the active hours and even when disabled (one attempt). */
  async syncNow(accountId: AccountId): Promise<void> {
    await this.states.schedule({ accountId, at: new Date(), force: true });
    this.scheduler.tickSoon();
  }

  /**
   * A connection test of the saved receive settings succeeded: an account the fetcher disabled runs
   * again at the next active time. Others are left as they are (their schedule is already right).
   */
  async reEnableAfterConnectionTest(accountId: AccountId): Promise<boolean> {
    const account = await this.account(accountId);
    if (!account || account.deletedAt || !account.serviceEnabled || !account.receive?.enabled) return false;
    const at = nextActiveTime({ at: new Date(), activeHours: account.receive.activeHours });
    const enabled = await this.states.reEnable({ accountId, at, priority: account.priority });
    if (enabled) {
      this.logger.log({ msg: 'account enabled again after a successful connection test', accountId, nextRunAt: at });
      this.scheduler.tickSoon();
    }
    return enabled;
  }

  private account(accountId: AccountId): Promise<AccountDocument | null> {
    return findAccount(this.db, accountId);
  }
}
