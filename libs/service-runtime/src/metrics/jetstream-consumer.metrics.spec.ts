import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsumerBacklog, ConsumerBacklogProvider } from '@mailbus/nats-transport';
import { JetStreamConsumerMetrics } from './jetstream-consumer.metrics';
import { MetricsService } from './metrics.service';

const providerOf = (answers: ConsumerBacklog[][]): ConsumerBacklogProvider & { reads: number } => {
  const fake = { reads: 0, read: async () => answers[Math.min(fake.reads++, answers.length - 1)] ?? [] };
  return fake as unknown as ConsumerBacklogProvider & { reads: number };
};

describe(JetStreamConsumerMetrics.name, () => {
  afterEach(() => vi.useRealTimers());

  it('should expose pending and unacknowledged events per consumer, read once for both gauges of a scrape', async () => {
    const metrics = new MetricsService('message-router');
    const backlogs = providerOf([[{ consumer: 'message-router__message_fetched', pending: 42, ackPending: 3 }]]);
    new JetStreamConsumerMetrics(metrics, backlogs);

    const text = await metrics.registry.metrics();

    expect(text).toContain('mailbus_jetstream_consumer_pending{consumer="message-router__message_fetched",service="message-router"} 42');
    expect(text).toContain('mailbus_jetstream_consumer_ack_pending{consumer="message-router__message_fetched",service="message-router"} 3');
    expect(backlogs.reads).toBe(1);
  });

  it('should read again after a few seconds and drop the series of a consumer that no longer answers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const metrics = new MetricsService('smtp-sender');
    const backlogs = providerOf([[{ consumer: 'smtp-sender__send_requested', pending: 1, ackPending: 0 }], []]);
    new JetStreamConsumerMetrics(metrics, backlogs);
    expect(await metrics.registry.metrics()).toContain('smtp-sender__send_requested');
    expect(await metrics.registry.metrics()).toContain('smtp-sender__send_requested');
    expect(backlogs.reads).toBe(1);

    vi.setSystemTime(Date.now() + 6_000);
    expect(await metrics.registry.metrics()).not.toContain('smtp-sender__send_requested');
  });
});
