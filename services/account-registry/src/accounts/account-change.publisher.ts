import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AccountChange, Events, timestampFromDate } from '@mailbus/contracts';
import type { AccountDocument } from '@mailbus/directory';
import { EventPublisher, PendingPublishSweeper } from '@mailbus/nats-transport';
import { AccountsRepository } from './accounts.repository';

const CHANGE_KIND = { created: AccountChange.CREATED, updated: AccountChange.UPDATED, deleted: AccountChange.DELETED } as const;
/**
 * account.changed with the outbox pattern: every change is stored with `pendingPublish`, published,
 * then marked. A crash in between leaves the mark, and the sweeper publishes it again; the message id
 * `account.changed:<id>:<revision>` lets JetStream drop a repeat, and consumers order by revision.
 */
@Injectable()
export class AccountChangePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccountChangePublisher.name);
  private readonly sweeper: PendingPublishSweeper<AccountDocument>;

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly events: EventPublisher,
  ) {
    this.sweeper = new PendingPublishSweeper({ event: 'account.changed', pending: (query) => this.accounts.pendingPublish(query), publish: (account) => this.publish(account) });
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /** Publishes the account's latest change; a failure is logged and left to the sweeper. */
  async publishLatest(account: AccountDocument): Promise<void> {
    try {
      await this.publish(account);
    } catch (error) {
      this.logger.warn({ msg: 'account.changed not published yet; the sweeper retries', accountId: account._id, revision: account.revision, err: error });
    }
  }

  private async publish(account: AccountDocument): Promise<void> {
    await this.events.publish(
      Events.accountChanged,
      { accountId: account._id, change: CHANGE_KIND[account.lastChange.kind], revision: account.revision, changedSettings: account.lastChange.settings, occurredAt: timestampFromDate(account.updatedAt) },
      { msgId: `account.changed:${account._id}:${account.revision}` },
    );
    await this.accounts.markPublished({ id: account._id, revision: account.revision });
  }
}
