import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AccountChange, Events, timestampFromDate } from '@mailbus/contracts';
import type { AccountDocument } from '@mailbus/directory';
import { EventPublisher } from '@mailbus/nats-transport';
import { AccountsRepository } from './accounts.repository';

const CHANGE_KIND = { created: AccountChange.CREATED, updated: AccountChange.UPDATED, deleted: AccountChange.DELETED } as const;
/** Changes younger than this are left to the request that made them. */
const SWEEP_MIN_AGE_MS = 5_000;
const SWEEP_INTERVAL_MS = 15_000;
const SWEEP_BATCH = 200;

/**
 * account.changed with the outbox pattern: every change is stored with `pendingPublish`, published,
 * then marked. A crash in between leaves the mark, and the sweeper publishes it again; the message id
 * `account.changed:<id>:<revision>` lets JetStream drop a repeat, and consumers order by revision.
 */
@Injectable()
export class AccountChangePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccountChangePublisher.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly events: EventPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
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

  private sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const pending = await this.accounts.pendingPublish({ olderThan: new Date(Date.now() - SWEEP_MIN_AGE_MS), limit: SWEEP_BATCH });
        for (const account of pending) await this.publish(account);
        if (pending.length > 0) this.logger.log({ msg: 'republished account.changed events', count: pending.length });
      } catch (error) {
        this.logger.warn({ msg: 'account.changed sweep failed; next round retries', err: error });
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }
}
