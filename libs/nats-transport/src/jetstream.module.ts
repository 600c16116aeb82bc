import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from './connection/connect-nats.util';
import { jetStreamClientsProvider } from './connection/jetstream-clients.provider';
import { NatsConnectionLifecycle } from './connection/nats-connection.lifecycle';
import { ConsumerBacklogProvider } from './consumers/consumer-backlog.provider';
import { EventHandlerExplorer } from './consumers/event-handler.explorer';
import { JetStreamHealthIndicator } from './health/jetstream-health.indicator';
import { JETSTREAM_MODULE_OPTIONS, NATS_CONNECTION } from './jetstream.constants';
import { LeaseBuckets } from './leases/lease-buckets';
import { KvRecordBuckets } from './records/kv-record-buckets';
import { resolveJetStreamOptions, type JetStreamModuleAsyncOptions, type ResolvedJetStreamOptions } from './jetstream-module.options';
import { EventPublisher } from './publisher/event.publisher';

/**
 * NATS JetStream for a mailbus service: one connection (retried until the server is there, then
 * reconnecting forever), the MAILBUS and MAILBUS_DLQ streams provisioned at start, EventPublisher,
 * every @OnEvent handler consumed through its durable consumer, JetStreamHealthIndicator, LeaseBuckets
 * (leases in NATS KV), and a
 * graceful stop that finishes or hands back in-flight events before the connection is drained.
 * Global: import it once, in the root module.
 * @example
 * JetStreamModule.forRootAsync({ inject: [CONFIG], useFactory: (config: RouterConfig) => ({ servers: config.nats.url, service: 'message-router' }) })
 */
@Global()
@Module({})
export class JetStreamModule {
  static forRootAsync(options: JetStreamModuleAsyncOptions): DynamicModule {
    return {
      module: JetStreamModule,
      imports: [...(options.imports ?? []), DiscoveryModule],
      providers: [
        {
          provide: JETSTREAM_MODULE_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]): Promise<ResolvedJetStreamOptions> => resolveJetStreamOptions(await options.useFactory(...args)),
        },
        {
          provide: NATS_CONNECTION,
          inject: [JETSTREAM_MODULE_OPTIONS],
          useFactory: (resolved: ResolvedJetStreamOptions): Promise<NatsConnection> => connectNats({ options: resolved, logger: new Logger('JetStream') }),
        },
        jetStreamClientsProvider,
        NatsConnectionLifecycle,
        EventPublisher,
        JetStreamHealthIndicator,
        EventHandlerExplorer,
        ConsumerBacklogProvider,
        LeaseBuckets,
        KvRecordBuckets,
      ],
      exports: [NATS_CONNECTION, EventPublisher, JetStreamHealthIndicator, ConsumerBacklogProvider, LeaseBuckets, KvRecordBuckets],
    };
  }
}
