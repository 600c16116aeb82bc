import { Controller, Inject } from '@nestjs/common';
import type { Db } from 'mongodb';
import { AccountChange, Events, type AccountChanged } from '@mailbus/contracts';
import { DirectoryCollections, type AccountDocument } from '@mailbus/directory';
import { MONGO_DB, accountId as toAccountId } from '@mailbus/mongo-dal';
import { OnEvent } from '@mailbus/nats-transport';
import { AccountSyncStateRepository } from '../sync-status/sync-state.repositories';
import { FetchScheduler } from './fetch-scheduler';

/** Settings whose change should make the account run now rather than at its next turn. */
const RUN_NOW_ON = new Set(['receive', 'credentials', 'serviceEnabled']);

/**
 * Keeps the schedule in step with the registry. The account is read fresh on every event, so
 * redelivered or reordered events cannot schedule an outdated state.
 */
@Controller()
export class AccountChangesConsumer {
  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly states: AccountSyncStateRepository,
    private readonly scheduler: FetchScheduler,
  ) {}

  @OnEvent(Events.accountChanged)
  async onAccountChanged(event: AccountChanged): Promise<void> {
    const accountId = toAccountId(event.accountId);
    const account = await this.db.collection<AccountDocument>(DirectoryCollections.accounts).findOne({ _id: accountId });
    const fetchable = account && !account.deletedAt && account.serviceEnabled && account.receive?.enabled;
    if (!fetchable) {
      await this.states.schedule({ accountId, at: null, state: 'disabled' });
      return;
    }
    const runNow = event.change === AccountChange.CREATED || event.changedSettings.some((setting) => RUN_NOW_ON.has(setting));
    if (runNow) {
      await this.states.schedule({ accountId, at: new Date(), priority: account.priority, state: 'idle' });
      this.scheduler.tickSoon();
    } else await this.states.schedule({ accountId, at: (await this.states.findOne({ accountId }))?.nextRunAt ?? new Date(), priority: account.priority });
  }
}
