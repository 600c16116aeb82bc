import { ServerNats, type NatsContext, type NatsOptions } from '@nestjs/microservices';
import { InFlightCalls } from './in-flight-calls';

type NatsServerOptions = Required<NatsOptions>['options'];

/** How long a drain or the last flush may wait for the server's answer (one round trip) before going on without it. */
const FLUSH_TIMEOUT_MS = 2_000;

/** The parts of the nats client library's connection and message that this server uses. */
interface NatsSubscription {
  drain(): Promise<void>;
}
interface NatsConnection {
  subscribe(subject: string, options: object): NatsSubscription;
  flush(): Promise<void>;
}
interface NatsRequest {
  reply?: string;
}
/** What Nest's publisher sends: data packets, and a last one marked isDisposed (or an error). */
interface ReplyPacket {
  err?: unknown;
  isDisposed?: boolean;
}

interface Call {
  end: () => void;
  replies: boolean;
}

/**
 * Nest's NATS request/reply server, made to finish the calls it has taken when it closes.
 *
 * ServerNats.close() closes the connection at once: a handler still running (a write, a connection
 * test) loses its reply and the caller sees a timeout after the work was done. Its gracefulShutdown
 * option unsubscribes, which drops requests NATS already routed here, and then always sleeps the
 * whole gracePeriod. This server drains its subscriptions instead (NATS sends new requests to the
 * other replicas of the queue group; those already on their way are still handled), waits until every
 * taken request is answered or `graceMs` has passed, and only then closes the connection.
 *
 * drain() may start this early (at the first shutdown hook), so that it overlaps the JetStream
 * consumers' own grace period; close() waits for the same drain.
 * @example app.connectMicroservice({ strategy: new DrainingNatsServer({ options: { servers, queue }, graceMs: 20_000 }) });
 */
export class DrainingNatsServer extends ServerNats {
  readonly #graceMs: number;
  readonly #subscriptions: NatsSubscription[] = [];
  readonly #inFlight = new InFlightCalls();
  readonly #calls = new WeakMap<object, Call>();
  #connection: NatsConnection | undefined;
  #draining: Promise<void> | undefined;

  constructor({ options, graceMs }: { options: NatsServerOptions; graceMs: number }) {
    super(options);
    this.#graceMs = graceMs;
  }

  /** Calls taken and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.running;
  }

  override bindEvents(client: NatsConnection): void {
    this.#connection = client;
    // Nest subscribes through client.subscribe only; keep the subscriptions to drain them later.
    super.bindEvents({
      subscribe: (subject: string, options: object) => {
        const subscription = client.subscribe(subject, options);
        this.#subscriptions.push(subscription);
        return subscription;
      },
    });
  }

  override async handleMessage(channel: string, message: NatsRequest): Promise<unknown> {
    if (!message.reply) return super.handleMessage(channel, message);
    const call: Call = { end: this.#inFlight.begin(), replies: false };
    this.#calls.set(message, call);
    try {
      return await super.handleMessage(channel, message);
    } catch (error) {
      call.end();
      throw error;
    } finally {
      // Not a request after all (an event with a reply subject): nothing will be published.
      if (!call.replies) call.end();
    }
  }

  override getPublisher(message: NatsRequest, id: string, ctx: NatsContext): (packet: ReplyPacket) => unknown {
    const publish = super.getPublisher(message, id, ctx) as (packet: ReplyPacket) => unknown;
    const call = this.#calls.get(message);
    if (!call) return publish;
    call.replies = true;
    return (packet) => {
      try {
        return publish(packet);
      } catch (error) {
        // E.g. answered after the grace period, on the closed connection: log it rather than leave an
        // unhandled rejection in Nest's reply loop.
        this.logger.warn(`reply lost: ${(error as Error).message}`);
        return undefined;
      } finally {
        if (packet.isDisposed || packet.err !== undefined) call.end();
      }
    };
  }

  /** Stops taking requests and waits (at most graceMs) for the taken ones to be answered. Idempotent. */
  drain(): Promise<void> {
    this.#draining ??= this.#drain(Date.now() + this.#graceMs);
    return this.#draining;
  }

  override async close(): Promise<void> {
    await this.drain();
    // Closing the connection drops what it has not written yet: flush the last replies first.
    if (this.#connection) await beforeDeadline({ work: this.#connection.flush().catch(() => undefined), deadline: Date.now() + FLUSH_TIMEOUT_MS });
    await super.close();
  }

  async #drain(deadline: number): Promise<void> {
    // A subscription's drain is one round trip to the server; a disconnected client would wait for ever.
    const drained = Promise.all(this.#subscriptions.map((subscription) => subscription.drain().catch(() => undefined)));
    await beforeDeadline({ work: drained, deadline: Math.min(deadline, Date.now() + FLUSH_TIMEOUT_MS) });
    if (!(await this.#inFlight.settled({ deadline }))) this.logger.warn(`${this.#inFlight.running} request(s) still running after ${this.#graceMs} ms; closing without their replies`);
  }
}

/** Waits for `work`, or until `deadline` (epoch ms) if that comes first. */
async function beforeDeadline({ work, deadline }: { work: Promise<unknown>; deadline: number }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
