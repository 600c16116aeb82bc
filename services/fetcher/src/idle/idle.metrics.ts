import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '@mailbus/service-runtime';

@Injectable()
export class IdleMetrics {
  readonly connections: Gauge;
  readonly wakeups: Counter;

  constructor(metrics: MetricsService) {
    this.connections = metrics.gauge({ name: 'mailbus_fetch_idle_connections', help: 'IMAP connections in IDLE on an INBOX held by this replica' });
    this.wakeups = metrics.counter({ name: 'mailbus_fetch_idle_wakeups_total', help: 'New mail noticed through IDLE, each scheduling a run at once' });
  }
}
