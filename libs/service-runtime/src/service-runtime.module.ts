import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { BaseConfig } from '@mailbus/config';
import type { ServiceName } from '@mailbus/contracts';
import { JETSTREAM_OBSERVER, JetStreamModule } from '@mailbus/nats-transport';
import { MongoModule } from '@mailbus/mongo-dal';
import { isDependencyOutage } from './dependencies/dependency-outage.util';
import { HealthController } from './health/health.controller';
import { ShutdownState } from './health/shutdown-state';
import { loggerOptions } from './logging/logger-options';
import { JetStreamConsumerMetrics } from './metrics/jetstream-consumer.metrics';
import { JetStreamMetricsObserver } from './metrics/jetstream-metrics.observer';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { SERVICE_NAME } from './service-runtime.constants';
import { systemStatusControllerFor } from './system/system-status.controller';

export interface ServiceRuntimeOptions {
  service: ServiceName;
  config: BaseConfig;
}

/**
 * Everything a mailbus service runs on: JSON logs, MongoDB, JetStream, /health, /metrics and the
 * status reply. A service's AppModule imports this once and adds its features.
 */
@Module({})
export class ServiceRuntimeModule {
  static forRoot({ service, config }: ServiceRuntimeOptions): DynamicModule {
    const metrics = new MetricsService(service);
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions({ service, level: config.log.level })),
        MongoModule.forRootAsync({ useFactory: () => ({ url: config.mongo.url, dbName: config.mongo.dbName, appName: `mailbus-${service}` }) }),
        JetStreamModule.forRootAsync({
          useFactory: () => ({ servers: config.nats.url, service, connectionName: `mailbus-${service}`, shutdownGraceMs: config.shutdownGraceMs, isOutage: isDependencyOutage }),
        }),
      ],
      controllers: [HealthController, MetricsController, systemStatusControllerFor(service)],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: MetricsService, useValue: metrics },
        ShutdownState,
        JetStreamMetricsObserver,
        JetStreamConsumerMetrics,
        { provide: JETSTREAM_OBSERVER, useExisting: JetStreamMetricsObserver },
      ],
      // Re-exported so that every feature module can publish events (EventPublisher) and read NATS_CONNECTION.
      exports: [SERVICE_NAME, MetricsService, ShutdownState, JETSTREAM_OBSERVER, JetStreamModule],
    };
  }
}
