import { Injectable, Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { OUTBOX_STATUSES } from '@mailbus/contracts';
import { MetricsService } from '@mailbus/service-runtime';
import { OutboxAttemptLeases } from '../outbox/outbox-attempt-leases';
import { OutboxRepository } from '../outbox/outbox.repository';
import { SentFolderSessions } from '../sent-folder/sent-folder-sessions';

/** smtp-sender's metrics; no account label (cardinality), per-item detail is GET /v1/outbox/:id. */
@Injectable()
export class SenderMetrics {
  private readonly logger = new Logger(SenderMetrics.name);
  readonly attempts: Counter;
  readonly failures: Counter<'class'>;
  readonly duration: Histogram;
  readonly sentFolderAppends: Counter<'outcome'>;

  constructor(metrics: MetricsService, outbox: OutboxRepository, attemptLeases: OutboxAttemptLeases, sentFolderSessions: SentFolderSessions) {
    this.attempts = metrics.counter({ name: 'mailbus_send_attempts_total', help: 'SMTP delivery attempts' });
    this.failures = metrics.counter({ name: 'mailbus_send_failures_total', help: 'SMTP delivery attempts that failed, by error class', labelNames: ['class'] });
    this.duration = metrics.histogram({ name: 'mailbus_send_duration_seconds', help: 'Time of one SMTP delivery attempt', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    this.sentFolderAppends = metrics.counter({ name: 'mailbus_sent_folder_appends_total', help: 'Sent mail filed in the IMAP Sent folder, by outcome (appended, skipped, failed)', labelNames: ['outcome'] });
    metrics.gauge({
      name: 'mailbus_kept_imap_connections',
      help: 'IMAP connections this replica keeps open between pieces of work (Sent-folder copies), each holding a host connection slot',
      collect() {
        this.set(sentFolderSessions.size);
      },
    });
    const outboxCounts = (): Promise<number[] | undefined> => this.outboxCounts(outbox, attemptLeases);
    // Fleet-wide (read from the outbox at scrape time): every replica reports the same, use max().
    metrics.gauge({
      name: 'mailbus_outbox_items',
      help: 'Outbox items by status (queued, sending, retrying, sent, failed; queued and retrying include those being sent); fleet-wide: use max()',
      labelNames: ['status'],
      async collect() {
        const counts = await outboxCounts();
        if (counts) OUTBOX_STATUSES.forEach((status, index) => this.set({ status }, counts[index] ?? 0));
      },
    });
  }

  /**
   * The items per status, in OUTBOX_STATUSES order; undefined when MongoDB or the lease store does not
   * answer: prom-client fails the whole scrape on a rejected collect, so the gauge keeps its last values.
   */
  private async outboxCounts(outbox: OutboxRepository, attemptLeases: OutboxAttemptLeases): Promise<number[] | undefined> {
    try {
      // `sending` is the attempts' live leases (an attempt writes the item only with its outcome).
      return await Promise.all(OUTBOX_STATUSES.map((status) => (status === 'sending' ? attemptLeases.countHeld() : outbox.countByStatus(status))));
    } catch (error) {
      this.logger.warn({ msg: 'outbox metrics not read; mailbus_outbox_items keeps its last values', err: (error as Error).message });
      return undefined;
    }
  }
}
