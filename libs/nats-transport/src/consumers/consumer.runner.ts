import type { LoggerService } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/nats-core';
import type { EventDefinition, EventPayload } from '@mailbus/contracts';
import { backoffDelay } from '../connection/backoff-delay.util';
import { interruptibleSleep, type InterruptibleSleep } from '../connection/interruptible-sleep.util';
import type { JetStreamClients } from '../connection/jetstream-clients.provider';
import { UndecodableEventError } from '../errors/undecodable-event.error';
import type { JetStreamObserver } from '../observer/jetstream.observer';
import { eventContextFor, type EventContext } from './event-context';
import type { ConsumerProvisioner } from './consumer.provisioner';
import { desiredConsumerConfig } from './consumer-config.util';
import { describeError, type HandlerResult, type RetryPolicy, Settlement } from './settlement';

// A pull waits this long on the server for events before the client asks again. Short enough that a
// pull left behind by a vanished client expires soon, long enough not to busy the server when idle.
const PULL_EXPIRES_MS = 5_000;
const RESTART = { initialMs: 500, maxMs: 15_000 };

export interface ConsumerRunnerSettings extends RetryPolicy {
  durable: string;
  stream: string;
  concurrency: number;
  ackWaitMs: number;
  service: string;
  /** Only when the handler sets it (OnEventOptions.maxAckPending); otherwise the consumer keeps its own. */
  maxAckPending?: number;
}

/**
 * Ends a pull by draining its subscription instead of dropping it: the client unsubscribes, then
 * keeps receiving until a round trip confirms that the server saw the unsubscribe. An event the server
 * sent just before that still reaches the loop, which hands it back (nak) at once; a plain unsubscribe
 * would drop it, and the event would wait out the whole ack-wait before anyone got it again.
 * The subscription is a public field of the client's pull iterator, though not of its interface;
 * without it the pull is stopped plainly.
 */
function releasePull(batch: ConsumerMessages): void {
  const sub = (batch as ConsumerMessages & { sub?: Subscription }).sub;
  if (sub && typeof sub.drain === 'function' && !sub.isClosed() && !sub.isDraining()) sub.drain().catch(() => batch.stop());
  else batch.stop();
}

/** Nak without delay: another replica (or the next instance) gets the event at once. */
function handBack(msg: JsMsg): void {
  try {
    msg.nak();
  } catch {
    // The connection is already closed: the server redelivers after the ack wait instead.
  }
}

interface InFlight {
  msg: JsMsg;
  released: boolean;
  done: Promise<void>;
}

/**
 * Pulls the events of one handler from its durable consumer and runs the handler with at most
 * `concurrency` events in flight. Events are only pulled when a slot is free, so none wait in a
 * client-side buffer while their ack-wait runs. If the pull loop breaks (consumer deleted, server
 * restarted, heartbeats lost) it re-provisions stream and consumer and resumes, with backoff.
 */
export class ConsumerRunner<Def extends EventDefinition = EventDefinition> {
  private stopping = false;
  private readonly inFlight = new Set<InFlight>();
  private batch?: ConsumerMessages;
  private pause?: InterruptibleSleep;
  private slotFreed?: () => void;
  private loop?: Promise<void>;
  private readonly settlement: Settlement;

  constructor(
    private readonly deps: {
      def: Def;
      handler: (event: EventPayload<Def>, ctx: EventContext) => Promise<void>;
      settings: ConsumerRunnerSettings;
      clients: JetStreamClients;
      consumers: ConsumerProvisioner;
      observer: JetStreamObserver;
      logger: Pick<LoggerService, 'log' | 'warn' | 'error' | 'debug'>;
    },
  ) {
    this.settlement = new Settlement({ js: deps.clients.js, durable: deps.settings.durable, event: deps.def.name, logger: deps.logger, recoverStreams: () => deps.clients.streams.ensureStreams() });
  }

  get durable(): string {
    return this.deps.settings.durable;
  }

  /** Creates or updates the durable consumer. */
  async provision(): Promise<void> {
    const { def, settings } = this.deps;
    await this.deps.consumers.ensure(
      desiredConsumerConfig({ durable: settings.durable, subject: def.subject, description: `${settings.service} handles ${def.name}`, ackWaitMs: settings.ackWaitMs, ...(settings.maxAckPending !== undefined ? { maxAckPending: settings.maxAckPending } : {}) }),
    );
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops pulling, lets in-flight handlers finish until `deadline` (epoch ms), then hands back (nak
   * without delay) the events of handlers still running, so that another replica gets them at once.
   */
  async stop({ deadline }: { deadline: number }): Promise<void> {
    this.stopping = true;
    if (this.batch) releasePull(this.batch);
    this.pause?.cancel();
    this.slotFreed?.();
    const grace = interruptibleSleep(Math.max(0, deadline - Date.now()));
    await Promise.race([this.loop, grace.done]);
    await Promise.race([Promise.all([...this.inFlight].map((entry) => entry.done)), grace.done]);
    grace.cancel();
    for (const entry of this.inFlight) {
      entry.released = true;
      handBack(entry.msg);
      this.deps.logger.warn({ msg: `${this.deps.def.name} still in progress at shutdown; handed back for redelivery`, consumer: this.durable, subject: entry.msg.subject, streamSeq: entry.msg.seq });
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    // A closed connection only comes back as a new process; there is nothing left to pull from.
    while (!this.stopping && !this.deps.clients.nc.isClosed()) {
      try {
        if (failures > 0) {
          // Resolves once the connection is back, so that the API calls below are not queued during an outage.
          await this.deps.clients.nc.flush();
          await this.deps.clients.streams.ensureStreams();
          await this.provision();
        }
        const consumer = await this.deps.clients.js.consumers.get(this.deps.settings.stream, this.durable);
        if (failures > 0) this.deps.logger.log(`consumer ${this.durable} resumed after ${failures} failed attempt(s)`);
        failures = 0;
        await this.pullUntilStopped(consumer);
      } catch (error) {
        if (this.stopping) break;
        failures++;
        const delayMs = backoffDelay({ attempt: failures, ...RESTART });
        this.deps.logger.warn(`consumer ${this.durable} interrupted: ${describeError(error).message}; restarting in ${delayMs} ms`);
        this.pause = interruptibleSleep(delayMs);
        await this.pause.done;
      }
    }
  }

  private async pullUntilStopped(consumer: Consumer): Promise<void> {
    while (!this.stopping) {
      await this.freeSlot();
      if (this.stopping) return;
      // Asks only for what the free slots can take; slots freed while this pull waits are refilled by the next one.
      const batch = await consumer.fetch({ max_messages: this.deps.settings.concurrency - this.inFlight.size, expires: PULL_EXPIRES_MS });
      this.batch = batch;
      if (this.stopping) releasePull(batch);
      try {
        for await (const msg of batch) {
          // Pulled just as shutdown began: give it straight back rather than start work we may not finish.
          if (this.stopping) handBack(msg);
          else this.dispatch(msg);
        }
      } finally {
        this.batch = undefined;
      }
    }
  }

  private freeSlot(): Promise<void> {
    if (this.stopping || this.inFlight.size < this.deps.settings.concurrency) return Promise.resolve();
    return new Promise((resolve) => {
      this.slotFreed = () => {
        this.slotFreed = undefined;
        resolve();
      };
    });
  }

  private dispatch(msg: JsMsg): void {
    const entry: InFlight = { msg, released: false, done: Promise.resolve() };
    this.inFlight.add(entry);
    entry.done = this.handle(entry)
      .catch((error: unknown) => this.deps.logger.error(`consumer ${this.durable}: settling ${msg.subject} #${msg.seq} failed: ${describeError(error).message}`))
      .finally(() => {
        this.inFlight.delete(entry);
        this.slotFreed?.();
      });
  }

  private async handle(entry: InFlight): Promise<void> {
    const { def, settings, observer } = this.deps;
    const { msg } = entry;
    const started = performance.now();
    const isReleased = (): boolean => entry.released;
    const result = await this.invoke({ msg, isReleased });
    const outcome = await this.settlement.settle({ msg, result, policy: settings, isReleased });
    if (outcome) observer.onHandled({ event: def.name, outcome, durationMs: performance.now() - started });
    else this.deps.logger.debug?.(`consumer ${this.durable}: ${msg.subject} #${msg.seq} finished after it was handed back`);
  }

  private async invoke({ msg, isReleased }: { msg: JsMsg; isReleased: () => boolean }): Promise<HandlerResult> {
    const { def, handler } = this.deps;
    let event: EventPayload<Def>;
    try {
      event = fromBinary<Def['schema']>(def.schema, msg.data);
    } catch (cause) {
      return { ok: false, error: new UndecodableEventError({ subject: msg.subject, cause }) };
    }
    try {
      await handler(event, eventContextFor({ msg, isReleased }));
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
