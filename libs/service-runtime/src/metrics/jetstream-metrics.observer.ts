import { Injectable } from '@nestjs/common';
import type { JetStreamObserver } from '@mailbus/nats-transport';
import { MetricsService } from './metrics.service';

/** Counts what the JetStream layer does, for every service alike. */
@Injectable()
export class JetStreamMetricsObserver implements JetStreamObserver {
  private readonly handled;
  private readonly handleSeconds;
  private readonly published;

  constructor(metrics: MetricsService) {
    this.handled = metrics.counter({ name: 'mailbus_events_handled_total', help: 'Events handled, by event and settlement outcome', labelNames: ['event', 'outcome'] });
    this.handleSeconds = metrics.histogram({
      name: 'mailbus_event_handle_duration_seconds',
      help: 'Time spent in event handlers',
      labelNames: ['event'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60],
    });
    this.published = metrics.counter({ name: 'mailbus_events_published_total', help: 'Events published, by event and whether JetStream saw a duplicate', labelNames: ['event', 'duplicate'] });
  }

  onHandled({ event, outcome, durationMs }: { event: string; outcome: 'ack' | 'retry' | 'dead_letter'; durationMs: number }): void {
    this.handled.inc({ event, outcome });
    this.handleSeconds.observe({ event }, durationMs / 1000);
  }

  onPublished({ event, duplicate }: { event: string; duplicate: boolean }): void {
    this.published.inc({ event, duplicate: String(duplicate) });
  }
}
