import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KvLease } from '@mailbus/nats-transport';
import type { FetchSettings } from '../config/fetcher.config';
import { AccountLeases } from '../connections/account-leases';
import { AccountRunService, FETCH_SETTINGS } from '../runs/account-run.service';
import { MORE_WORK_DELAY_MS } from '../runs/run-timing.util';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { AccountSyncStateRepository } from '../sync-status/sync-state.repositories';

/**
 * Picks due accounts and runs them, at most `concurrency` at a time on this replica. Accounts are
 * leased in NATS KV, so several replicas share the work and each account has one writer; a replica
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
  private tickAgain = false;
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
    if (this.stopped) return;
    // A run that ends during a tick frees a place that tick may not have seen: look again right after it.
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.tick()
      .catch((error: Error) => this.logger.warn({ msg: 'scheduler tick failed; the next one retries', err: error.message }))
      .finally(() => {
        this.ticking = false;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.tickSoon();
        }
      });
  }

  private async tick(): Promise<void> {
    let free = this.settings.concurrency - this.running.size;
    if (free <= 0) return;
    const now = new Date();
    // More candidates than free places: other replicas may hold some of them.
    for (const candidate of await this.states.due({ now, limit: free * 3 })) {
      if (free <= 0 || this.stopped) break;
      if (await this.tryStart({ candidate, dueBy: now })) free -= 1;
    }
    if (free <= 0 || this.stopped) return;
    // Places nobody due wants: a backlog's next run need not wait out its turn (MORE_WORK_DELAY_MS).
    const by = new Date(now.getTime() + MORE_WORK_DELAY_MS);
    for (const candidate of await this.states.backlogsDueBy({ by, limit: free * 3 })) {
      if (free <= 0 || this.stopped) break;
      if (await this.tryStart({ candidate, dueBy: by })) free -= 1;
    }
  }

  /** Starts the account's run if this replica gets its lease and it is still due by `dueBy`. */
  private async tryStart({ candidate, dueBy }: { candidate: AccountSyncStateDocument; dueBy: Date }): Promise<boolean> {
    if (this.active.has(candidate._id)) return false;
    const lease = await this.leases.tryAcquire({ accountId: candidate._id, owner: this.owner, leaseMs: this.settings.leaseMs });
    if (!lease) return false;
    // Read again under the lease: another replica may have run it between our query and the lease.
    const state = await this.states.findOne({ accountId: candidate.accountId });
    if (!state?.nextRunAt || state.nextRunAt.getTime() > dueBy.getTime()) {
      await lease.release();
      return false;
    }
    this.start(state, lease);
    return true;
  }

  private start(state: AccountSyncStateDocument, lease: KvLease): void {
    this.active.add(state._id);
    const run: Promise<void> = this.runs
      .run({ state, lease })
      .catch((error: Error) => this.logger.error({ msg: 'account run crashed', accountId: state._id, err: error }))
      .finally(async () => {
        await lease.release().catch(() => undefined);
        this.active.delete(state._id);
        this.running.delete(run);
        this.tickSoon();
      });
    this.running.add(run);
  }
}
