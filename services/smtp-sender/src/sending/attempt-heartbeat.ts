import type { EventContext } from '@mailbus/nats-transport';

const HEARTBEAT_MS = 10_000;

/**
 * Keeps a long attempt alive: restarts the event's ack-wait timer (no redelivery to a second handler)
 * and renews the attempt's lease. Renewals run one at a time; stop() waits for the last one.
 */
export class AttemptHeartbeat {
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();
  private keepAlive?: () => Promise<void>;

  constructor({ keepAlive, ctx }: { keepAlive?: () => Promise<void>; ctx?: Pick<EventContext, 'working'> }) {
    this.keepAlive = keepAlive;
    this.timer = setInterval(() => {
      ctx?.working();
      const keepAlive = this.keepAlive;
      if (keepAlive) this.renewing = this.renewing.then(keepAlive).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.keepAlive = undefined;
    await this.renewing;
  }
}
