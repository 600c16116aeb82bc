import { Logger } from '@nestjs/common';

export interface PendingPublishSweeperOptions<Item> {
  /** What is published, for the logs ("account.changed"). */
  event: string;
  /** Items still marked pending and at least `olderThan` old, oldest first. */
  pending: (query: { olderThan: Date; limit: number }) => Promise<Item[]>;
  /** Publishes one item and clears its mark. */
  publish: (item: Item) => Promise<void>;
  /** Younger items are left to the request that made them. Default 5 s. */
  minAgeMs?: number;
  intervalMs?: number;
  batch?: number;
}

/**
 * The second half of the outbox pattern: a service stores a change with a `pendingPublish` mark,
 * publishes its event and clears the mark; what a crash or a NATS outage left marked, this publishes
 * again every `intervalMs` (the event's msg id lets JetStream drop a repeat). One sweep at a time.
 * @example this.sweeper = new PendingPublishSweeper({ event: 'send.requested', pending: (q) => repo.pendingPublish(q), publish: (item) => this.publish(item) });
 */
export class PendingPublishSweeper<Item> {
  private readonly logger = new Logger(PendingPublishSweeper.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(private readonly options: PendingPublishSweeperOptions<Item>) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs ?? 15_000);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  sweep(): Promise<void> {
    const { event, pending, publish, minAgeMs = 5_000, batch = 200 } = this.options;
    this.sweeping ??= (async () => {
      try {
        const items = await pending({ olderThan: new Date(Date.now() - minAgeMs), limit: batch });
        for (const item of items) await publish(item);
        if (items.length > 0) this.logger.log({ msg: `republished ${event} events`, count: items.length });
      } catch (error) {
        this.logger.warn({ msg: `${event} sweep failed; next round retries`, err: error });
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }
}
