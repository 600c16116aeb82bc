import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '@mailbus/service-runtime';

/**
 * The fetcher's metrics. No account label: 100,000 accounts must not become 100,000 series;
 * per-account detail is in the status API.
 */
@Injectable()
export class FetcherMetrics {
  readonly messagesFetched: Counter<'protocol'>;
  readonly bytesFetched: Counter<'protocol'>;
  readonly runDuration: Histogram<'protocol' | 'outcome'>;
  readonly runErrors: Counter<'protocol' | 'class'>;
  readonly runsInProgress: Gauge;
  readonly hostCapWaits: Counter;
  /** Open mail server connections of this replica by host (lower-cased); hosts without one are dropped. */
  private readonly openByHost = new Map<string, number>();

  constructor(metrics: MetricsService) {
    this.messagesFetched = metrics.counter({ name: 'mailbus_fetch_messages_total', help: 'Messages stored and published by the fetcher', labelNames: ['protocol'] });
    this.bytesFetched = metrics.counter({ name: 'mailbus_fetch_bytes_total', help: 'Bytes of raw messages stored by the fetcher', labelNames: ['protocol'] });
    this.runDuration = metrics.histogram({
      name: 'mailbus_fetch_run_duration_seconds',
      help: 'Duration of one account run',
      labelNames: ['protocol', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    });
    this.runErrors = metrics.counter({ name: 'mailbus_fetch_run_errors_total', help: 'Account runs that failed, by error class', labelNames: ['protocol', 'class'] });
    this.hostCapWaits = metrics.counter({ name: 'mailbus_fetch_host_cap_waits_total', help: 'Runs postponed because their mail server host had no free connection slot' });
    this.runsInProgress = metrics.gauge({ name: 'mailbus_fetch_runs_in_progress', help: 'Account runs working on this replica now' });
    const openByHost = this.openByHost;
    // Labelled by mail server host, which are few (providers), never by account.
    metrics.gauge({
      name: 'mailbus_fetch_connections_open',
      help: 'Mail server connections this replica holds open now, by host',
      labelNames: ['host'],
      collect() {
        this.reset();
        for (const [host, open] of openByHost) this.set({ host }, open);
      },
    });
  }

  connectionOpened(host: string): void {
    const key = host.toLowerCase();
    this.openByHost.set(key, (this.openByHost.get(key) ?? 0) + 1);
  }

  connectionClosed(host: string): void {
    const key = host.toLowerCase();
    const open = (this.openByHost.get(key) ?? 0) - 1;
    if (open > 0) this.openByHost.set(key, open);
    else this.openByHost.delete(key);
  }
}
