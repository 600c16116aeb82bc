import { describe, expect, it, vi } from 'vitest';
import { MetricsService } from '@mailbus/service-runtime';
import type { OutboxAttemptLeases } from '../outbox/outbox-attempt-leases';
import type { OutboxRepository } from '../outbox/outbox.repository';
import type { SentFolderSessions } from '../sent-folder/sent-folder-sessions';
import { SenderMetrics } from './sender.metrics';

const COUNTS: Record<string, number> = { queued: 3, retrying: 2, sent: 40, failed: 1 };

/** SenderMetrics on a real registry, with an outbox and a lease store that answer until told to fail. */
function senderMetrics() {
  const metrics = new MetricsService('smtp-sender');
  const outbox = { countByStatus: vi.fn(async (status: string) => COUNTS[status] ?? 0) };
  const leases = { countHeld: vi.fn(async () => 4) };
  new SenderMetrics(metrics, outbox as unknown as OutboxRepository, leases as unknown as OutboxAttemptLeases, { size: 0 } as unknown as SentFolderSessions);
  return { registry: metrics.registry, outbox, leases };
}

const outboxItems = async (registry: MetricsService['registry']) => (await registry.getSingleMetric('mailbus_outbox_items')!.get()).values.map(({ labels, value }) => [labels.status, value]);

describe(SenderMetrics.name, () => {
  it('should report the outbox items per status, sending from the live attempt leases', async () => {
    const { registry } = senderMetrics();

    expect(await outboxItems(registry)).toEqual(expect.arrayContaining([['queued', 3], ['sending', 4], ['retrying', 2], ['sent', 40], ['failed', 1]]));
  });

  it.each([
    ['MongoDB', ({ outbox }: ReturnType<typeof senderMetrics>) => outbox.countByStatus.mockRejectedValue(new Error('connection <monitor> to 127.0.0.1:27017 closed'))],
    ['the NATS lease store', ({ leases }: ReturnType<typeof senderMetrics>) => leases.countHeld.mockRejectedValue(new Error('TIMEOUT'))],
  ])('should still answer the scrape with the last values when %s is down', async (_store, breakStore) => {
    const scraped = senderMetrics();
    await scraped.registry.metrics();
    breakStore(scraped);

    const text = await scraped.registry.metrics();

    expect(text).toContain('mailbus_outbox_items{status="sent",service="smtp-sender"} 40');
    expect(text).toContain('mailbus_outbox_items{status="sending",service="smtp-sender"} 4');
    expect(text).toContain('mailbus_send_attempts_total');
  });
});
