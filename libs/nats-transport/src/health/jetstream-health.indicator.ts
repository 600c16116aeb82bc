import { Injectable } from '@nestjs/common';
import { JetStreamClients } from '../connection/jetstream-clients.provider';

export interface JetStreamHealthResult {
  ok: boolean;
  details?: string;
}

/** Readiness of NATS JetStream: the connection is open and JetStream answers an account-info request in time. Never throws. */
@Injectable()
export class JetStreamHealthIndicator {
  constructor(private readonly clients: JetStreamClients) {}

  /** @example const { ok, details } = await jetStreamHealth.check(); */
  async check({ timeoutMs = 1_500 }: { timeoutMs?: number } = {}): Promise<JetStreamHealthResult> {
    const { nc, jsm } = this.clients;
    if (nc.isClosed()) return { ok: false, details: 'NATS connection closed' };
    if (nc.isDraining()) return { ok: false, details: 'NATS connection draining' };
    let timer: NodeJS.Timeout | undefined;
    // A race rather than the request timeout: while the client reconnects, requests are queued, and a
    // readiness probe must answer quickly.
    const timeout = new Promise<JetStreamHealthResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, details: `JetStream did not answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const probe = jsm.getAccountInfo().then(
      (): JetStreamHealthResult => ({ ok: true }),
      (error: Error): JetStreamHealthResult => ({ ok: false, details: `JetStream: ${error.message}` }),
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
