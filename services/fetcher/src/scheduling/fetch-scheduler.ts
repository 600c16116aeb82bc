import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FetchSettings } from '../config/fetcher.config';
import { AccountLeases } from '../connections/account-leases';
import { AccountRunService, FETCH_SETTINGS } from '../runs/account-run.service';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { AccountSyncStateRepository } from '../sync-status/sync-state.repositories';

/**
 * Picks due accounts and runs them, at most `concurrency` at a time on this replica. Accounts are
 * leased in MongoDB, so several replicas share the work and each account has one writer; a replica
 * that dies stops renewing and its accounts are taken over when the lease runs out.
 */
@Injectable()
export class FetchScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FetchScheduler.name);
  readonly owner = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly running = new Set<Promise<void>>();
  private readonly active = new Set<string>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;

  constructor(
    @Inject(FETCH_SETTINGS) private readonly settings: FetchSettings,
    private readonly states: AccountSyncStateRepository,
    private readonly runs: AccountRunService,
    private readonly leases: AccountLeases,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tickSoon(), this.settings.tickMs);
    this.tickSoon();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Runs in flight finish their current message; what is not checkpointed is fetched again by the next owner.
    this.runs.abortAll();
    await Promise.allSettled([...this.running]);
  }

  /** Looks for due accounts now rather than at the next tick (e.g. after "fetch now"). */
  tickSoon(): void {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    this.tick()
      .catch((error: Error) => this.logger.warn({ msg: 'scheduler tick failed; the next one retries', err: error.message }))
      .finally(() => (this.ticking = false));
  }

  private async tick(): Promise<void> {
    let free = this.settings.concurrency - this.running.size;
    if (free <= 0) return;
    // More candidates than free places: other replicas may hold some of them.
    for (const candidate of await this.states.due({ now: new Date(), limit: free * 3 })) {
      if (free <= 0 || this.stopped) break;
      if (this.active.has(candidate._id)) continue;
      if (!(await this.leases.tryAcquire({ accountId: candidate._id, owner: this.owner, leaseMs: this.settings.leaseMs }))) continue;
      // Read again under the lease: another replica may have run it between our query and the lease.
      const state = await this.states.findOne({ accountId: candidate.accountId });
      if (!state?.nextRunAt || state.nextRunAt.getTime() > Date.now()) {
        await this.leases.release({ accountId: candidate._id, owner: this.owner });
        continue;
      }
      free -= 1;
      this.start(state);
    }
  }

  private start(state: AccountSyncStateDocument): void {
    this.active.add(state._id);
    const run: Promise<void> = this.runs
      .run({ state, owner: this.owner })
      .catch((error: Error) => this.logger.error({ msg: 'account run crashed', accountId: state._id, err: error }))
      .finally(async () => {
        await this.leases.release({ accountId: state._id, owner: this.owner }).catch(() => undefined);
        this.active.delete(state._id);
        this.running.delete(run);
        this.tickSoon();
      });
    this.running.add(run);
  }
}
