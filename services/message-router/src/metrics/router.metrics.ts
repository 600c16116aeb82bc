import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@mailbus/service-runtime';

/** message-router's metrics; no account or user label (cardinality), per-message detail is in the read API. */
@Injectable()
export class RouterMetrics {
  /** outcome: routed (parsed and delivered) or quarantined (kept raw, delivered with parseError). */
  readonly messagesRouted: Counter<'outcome'>;
  readonly deliveries: Counter<'rule' | 'folder'>;
  readonly parseFailures: Counter<'reason'>;
  readonly routeDuration: Histogram<'outcome'>;

  constructor(metrics: MetricsService) {
    this.messagesRouted = metrics.counter({ name: 'mailbus_messages_routed_total', help: 'Fetched messages parsed and routed to users', labelNames: ['outcome'] });
    this.deliveries = metrics.counter({ name: 'mailbus_deliveries_total', help: 'New deliveries to users, by the rule that matched and the user folder', labelNames: ['rule', 'folder'] });
    this.parseFailures = metrics.counter({ name: 'mailbus_parse_failures_total', help: 'Messages that could not be parsed and were quarantined, by reason', labelNames: ['reason'] });
    this.routeDuration = metrics.histogram({
      name: 'mailbus_route_duration_seconds',
      help: 'From message.fetched received to message.delivered published',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  }
}
