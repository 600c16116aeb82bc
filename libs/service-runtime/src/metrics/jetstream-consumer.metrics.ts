import { Injectable } from '@nestjs/common';
import { ConsumerBacklogProvider, type ConsumerBacklog } from '@mailbus/nats-transport';
import { MetricsService } from './metrics.service';

/** Scrapes within this time share one round of consumer info calls (several Prometheus servers, several dashboards). */
const SNAPSHOT_TTL_MS = 5_000;

/**
 * How far each durable consumer of the service is behind the MAILBUS stream, read from JetStream when
 * Prometheus scrapes. Labelled by consumer (a handful per service, never per account). The values are
 * the consumer's, so every replica reports the same: aggregate with max(), not sum().
 */
@Injectable()
export class JetStreamConsumerMetrics {
  private cached?: { at: number; backlog: Promise<ConsumerBacklog[]> };

  constructor(metrics: MetricsService, backlogs: ConsumerBacklogProvider) {
    const snapshot = (): Promise<ConsumerBacklog[]> => {
      const now = Date.now();
      if (!this.cached || now - this.cached.at > SNAPSHOT_TTL_MS) this.cached = { at: now, backlog: backlogs.read() };
      return this.cached.backlog;
    };
    metrics.gauge({
      name: 'mailbus_jetstream_consumer_pending',
      help: 'Events of the MAILBUS stream not yet delivered to this durable consumer (num_pending); the same on every replica: use max()',
      labelNames: ['consumer'],
      async collect() {
        this.reset();
        for (const { consumer, pending } of await snapshot()) this.set({ consumer }, pending);
      },
    });
    metrics.gauge({
      name: 'mailbus_jetstream_consumer_ack_pending',
      help: 'Events delivered to this durable consumer and not yet acknowledged (num_ack_pending); use max()',
      labelNames: ['consumer'],
      async collect() {
        this.reset();
        for (const { consumer, ackPending } of await snapshot()) this.set({ consumer }, ackPending);
      },
    });
  }
}
