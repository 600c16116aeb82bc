import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@mailbus/service-runtime';
import { MailServerSessions } from './mail-server-sessions';

/** spam-feedback's metrics; no account label (cardinality), per-message detail is in spam.moved. */
@Injectable()
export class WritebackMetrics {
  readonly spamMoves: Counter<'direction' | 'outcome'>;
  readonly deletions: Counter<'protocol' | 'outcome'>;
  readonly duration: Histogram<'operation'>;

  constructor(metrics: MetricsService, sessions: MailServerSessions) {
    this.spamMoves = metrics.counter({ name: 'mailbus_spam_moves_total', help: 'Spam write-backs (to junk / out of junk), by outcome', labelNames: ['direction', 'outcome'] });
    this.deletions = metrics.counter({ name: 'mailbus_server_deletions_total', help: 'Deletions written back to the mail server, by protocol and outcome', labelNames: ['protocol', 'outcome'] });
    metrics.gauge({
      name: 'mailbus_kept_imap_connections',
      help: 'IMAP connections this replica keeps open between pieces of work (write-backs), each holding a host connection slot',
      collect() {
        this.set(sessions.openImapSessions);
      },
    });
    this.duration = metrics.histogram({ name: 'mailbus_writeback_duration_seconds', help: 'Time of one write-back (move or deletion) on the mail server', labelNames: ['operation'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
  }
}
