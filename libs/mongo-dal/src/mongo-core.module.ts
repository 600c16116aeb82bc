import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import type { Db, MongoClient } from 'mongodb';
import { connectWithRetry } from './connection/connect-with-retry.util';
import { MongoShutdownListener } from './connection/mongo-shutdown.listener';
import { MongoHealthIndicator } from './health/mongo-health.indicator';
import { IndexProvisioner } from './indexes/index.provisioner';
import { MONGO_CLIENT, MONGO_DB, MONGO_MODULE_OPTIONS } from './mongo.constants';
import type { MongoModuleAsyncOptions, MongoModuleOptions } from './mongo-module.options';

/** The one connection of the process, global so that every feature module can inject it. Internal: use MongoModule. */
@Global()
@Module({})
export class MongoCoreModule {
  static forRootAsync(options: MongoModuleAsyncOptions): DynamicModule {
    return {
      module: MongoCoreModule,
      imports: options.imports ?? [],
      providers: [
        { provide: MONGO_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: MONGO_CLIENT,
          useFactory: (resolved: MongoModuleOptions): Promise<MongoClient> => connectWithRetry({ options: resolved, logger: new Logger('MongoModule') }),
          inject: [MONGO_MODULE_OPTIONS],
        },
        { provide: MONGO_DB, useFactory: (client: MongoClient, resolved: MongoModuleOptions): Db => client.db(resolved.dbName), inject: [MONGO_CLIENT, MONGO_MODULE_OPTIONS] },
        MongoShutdownListener,
        MongoHealthIndicator,
        IndexProvisioner,
      ],
      exports: [MONGO_CLIENT, MONGO_DB, MongoHealthIndicator, IndexProvisioner],
    };
  }
}
