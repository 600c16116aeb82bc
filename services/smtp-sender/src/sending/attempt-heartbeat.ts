import type { EventContext } from '@mailbus/nats-transport';

const HEARTBEAT_MS = 10_000;

/**
 * Keeps a long attempt alive: restarts the event's ack-wait timer (no redelivery to a second handler)
 * and, until the attempt writes its outcome, touches the item (not stale, not stalled). Touches run one
 * at a time and stopTouching() waits for the last one, so it never overlaps the outcome's write.
 */
export class AttemptHeartbeat {
  private readonly timer: NodeJS.Timeout;
  private touching: Promise<void> = Promise.resolve();
  private touch?: () => Promise<void>;

  constructor({ touch, ctx }: { touch?: () => Promise<void>; ctx?: Pick<EventContext, 'working'> }) {
    this.touch = touch;
    this.timer = setInterval(() => {
      ctx?.working();
      const touch = this.touch;
      if (touch) this.touching = this.touching.then(touch).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async stopTouching(): Promise<void> {
    this.touch = undefined;
    await this.touching;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.stopTouching();
  }
}
