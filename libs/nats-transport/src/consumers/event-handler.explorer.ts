import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { durableConsumerName, EVENTS_STREAM, type EventPayload } from '@mailbus/contracts';
import { JetStreamClients } from '../connection/jetstream-clients.provider';
import { JETSTREAM_MODULE_OPTIONS, JETSTREAM_OBSERVER } from '../jetstream.constants';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import type { JetStreamObserver } from '../observer/jetstream.observer';
import { safeObserver } from '../observer/safe-observer.util';
import { ConsumerProvisioner } from './consumer.provisioner';
import { ConsumerRunner } from './consumer.runner';
import type { EventContext } from './event-context';
import { ON_EVENT_METADATA, type OnEventMetadata } from './on-event.decorator';

interface DiscoveredHandler extends OnEventMetadata {
  owner: string;
  invoke: (event: EventPayload<OnEventMetadata['def']>, ctx: EventContext) => Promise<void>;
}

/**
 * Finds every @OnEvent method of the application's providers and controllers at bootstrap, provisions
 * its durable consumer and starts consuming; at shutdown stops them within the grace period.
 */
@Injectable()
export class EventHandlerExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JetStream');
  private readonly observer: JetStreamObserver;
  private runners: ConsumerRunner[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly clients: JetStreamClients,
    @Inject(JETSTREAM_MODULE_OPTIONS) private readonly options: ResolvedJetStreamOptions,
    @Optional() @Inject(JETSTREAM_OBSERVER) observer?: JetStreamObserver,
  ) {
    this.observer = safeObserver(observer);
  }

  async onApplicationBootstrap(): Promise<void> {
    const handlers = this.discover();
    const consumers = new ConsumerProvisioner({ jsm: this.clients.jsm, stream: EVENTS_STREAM.name, logger: this.logger });
    const owners = new Map<string, string>();
    const runners = handlers.map(({ def, options, owner, invoke }) => {
      const durable = durableConsumerName({ service: this.options.service, event: def.name });
      const other = owners.get(durable);
      // Two handlers on one durable would each see only part of the events.
      if (other) throw new Error(`${owner} and ${other} both handle ${def.name}; one service may have only one @OnEvent handler per event`);
      owners.set(durable, owner);
      return new ConsumerRunner({
        def,
        handler: invoke,
        settings: {
          durable,
          stream: EVENTS_STREAM.name,
          service: this.options.service,
          ackWaitMs: this.options.ackWaitMs,
          maxDeliver: options.maxDeliver ?? this.options.maxDeliver,
          backoffMs: options.backoffMs ?? this.options.backoffMs,
          isOutage: this.options.isOutage,
          concurrency: options.concurrency ?? 1,
          ...(options.maxAckPending !== undefined ? { maxAckPending: options.maxAckPending } : {}),
        },
        clients: this.clients,
        consumers,
        observer: this.observer,
        logger: this.logger,
      });
    });
    await Promise.all(runners.map((runner) => runner.provision()));
    this.runners = runners;
    for (const runner of runners) runner.start();
    if (runners.length > 0) this.logger.log(`consuming ${runners.map((runner) => runner.durable).join(', ')}`);
  }

  /** The durable consumers this process consumes through (empty before bootstrap and after shutdown). */
  durables(): string[] {
    return this.runners.map((runner) => runner.durable);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + this.options.shutdownGraceMs;
    await Promise.all(this.runners.map((runner) => runner.stop({ deadline })));
    this.runners = [];
  }

  private discover(): DiscoveredHandler[] {
    const seen = new Set<object>();
    const handlers: DiscoveredHandler[] = [];
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const instance: unknown = wrapper.instance;
      // Request-scoped providers have no instance to call; aliases and values appear more than once.
      if (!instance || typeof instance !== 'object' || seen.has(instance) || !wrapper.isDependencyTreeStatic()) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const metadata = Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventMetadata[] | undefined;
        for (const { def, options } of metadata ?? []) {
          handlers.push({ def, options, owner: `${instance.constructor.name}.${methodName}`, invoke: (event, ctx) => method.call(instance, event, ctx) as Promise<void> });
        }
      }
    }
    return handlers;
  }
}
