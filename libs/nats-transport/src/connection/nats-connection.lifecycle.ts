import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { NATS_CONNECTION } from '../jetstream.constants';

// Draining flushes the last acks and naks of the consumers; a server that stopped answering must not
// hold the process hostage.
const DRAIN_TIMEOUT_MS = 5_000;

/** Closes the connection last: onApplicationShutdown runs after the consumers have settled or handed back their events. */
@Injectable()
export class NatsConnectionLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('JetStream');

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DRAIN_TIMEOUT_MS);
    });
    try {
      const drained = this.nc.isDraining() ? this.nc.closed().then(() => 'drained' as const) : this.nc.drain().then(() => 'drained' as const);
      if ((await Promise.race([drained, timeout])) === 'timeout') this.logger.warn(`NATS drain took longer than ${DRAIN_TIMEOUT_MS} ms; closing`);
    } catch (error) {
      this.logger.warn(`NATS drain failed: ${error instanceof Error ? error.message : String(error)}; closing`);
    } finally {
      clearTimeout(timer);
    }
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}
