import { Injectable, Logger } from '@nestjs/common';
import { SYNC_STATES, type SyncState } from '@mailbus/contracts';
import { MetricsService } from '@mailbus/service-runtime';
import { AccountSyncStateRepository, type ScheduleLag } from './sync-state.repositories';

/** Scrapes within this time share one read of MongoDB (several Prometheus servers, several dashboards). */
const SNAPSHOT_TTL_MS = 5_000;
/** Due for longer than this and not started: the fleet is not keeping up (ticks are ~1 s). */
export const OVERDUE_AFTER_MS = 60_000;

interface Snapshot {
  at: number;
  counts: Record<SyncState, number>;
  lag: ScheduleLag;
}

const secondsSince = (date: Date | undefined, now: number): number => (date ? Math.max(0, (now - date.getTime()) / 1000) : 0);

/**
 * Fleet-wide gauges read from account_sync_states when Prometheus scrapes (cheap indexed counts,
 * cached a few seconds). Every replica reports the same fleet values: aggregate them with max(), not
 * sum(). No account label (100,000 accounts must not become 100,000 series).
 */
@Injectable()
export class SyncStateMetrics {
  private readonly logger = new Logger(SyncStateMetrics.name);
  private cached?: { at: number; snapshot: Promise<Snapshot | undefined> };

  constructor(
    metrics: MetricsService,
    private readonly states: AccountSyncStateRepository,
  ) {
    const snapshot = (): Promise<Snapshot | undefined> => this.snapshot();
    metrics.gauge({
      name: 'mailbus_fetch_accounts',
      help: 'Accounts by sync state across the fleet (idle, syncing, error, disabled)',
      labelNames: ['state'],
      async collect() {
        const current = await snapshot();
        if (current) for (const state of SYNC_STATES) this.set({ state }, current.counts[state]);
      },
    });
    metrics.gauge({
      name: 'mailbus_fetch_schedule_lag_seconds',
      help: 'How long the account that has been due longest has waited past its next run time (0 when none is due)',
      async collect() {
        const current = await snapshot();
        if (current) this.set(secondsSince(current.lag.oldestDueAt, current.at));
      },
    });
    metrics.gauge({
      name: 'mailbus_fetch_accounts_overdue',
      help: `Accounts due for more than ${OVERDUE_AFTER_MS / 1000} s and not started`,
      async collect() {
        const current = await snapshot();
        if (current) this.set(current.lag.overdue);
      },
    });
    metrics.gauge({
      name: 'mailbus_fetch_oldest_success_age_seconds',
      help: 'Time since the last successful run of the idle or syncing account that has waited longest (failing accounts are counted in mailbus_fetch_accounts{state="error"})',
      async collect() {
        const current = await snapshot();
        if (current) this.set(secondsSince(current.lag.oldestSuccessAt, current.at));
      },
    });
  }

  /** One read for all gauges of a scrape; when MongoDB does not answer the gauges keep their last values. */
  private snapshot(): Promise<Snapshot | undefined> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > SNAPSHOT_TTL_MS) this.cached = { at: now, snapshot: this.load(now) };
    return this.cached.snapshot;
  }

  private async load(now: number): Promise<Snapshot | undefined> {
    try {
      const [counts, lag] = await Promise.all([this.states.countByState(), this.states.scheduleLag({ now: new Date(now), overdueAfterMs: OVERDUE_AFTER_MS })]);
      return { at: now, counts, lag };
    } catch (error) {
      this.logger.warn({ msg: 'fleet metrics not read; the gauges keep their last values', err: (error as Error).message });
      this.cached = undefined;
      return undefined;
    }
  }
}
