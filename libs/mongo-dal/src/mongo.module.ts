import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { IndexProvisioner } from './indexes/index.provisioner';
import type { IndexedClass } from './indexes/index-spec';
import { MongoCoreModule } from './mongo-core.module';
import type { MongoModuleAsyncOptions } from './mongo-module.options';

/**
 * MongoDB for a mailbus service: one client per process (connected with retry at start, closed at
 * shutdown), the `Db` under MONGO_DB, readiness via MongoHealthIndicator, and the indexes of every
 * repository registered with forFeature created before the service takes work.
 * @example
 * MongoModule.forRootAsync({ inject: [CONFIG], useFactory: (config: FetcherConfig) => ({ url: config.mongo.url, dbName: config.mongo.dbName }) })
 * MongoModule.forFeature([MessageRepository, BlobStore])
 */
@Module({})
export class MongoModule {
  /** Global: import it once, in the application's root module. */
  static forRootAsync(options: MongoModuleAsyncOptions): DynamicModule {
    return { module: MongoModule, global: true, imports: [MongoCoreModule.forRootAsync(options)] };
  }

  /** Provides and exports the given repositories (or BlobStore) and registers their static `indexes`. */
  static forFeature(providers: Array<Type<unknown> & IndexedClass>): DynamicModule {
    const specs = providers.flatMap((provider) => provider.indexes ?? []);
    // Instantiated before any onModuleInit runs, so IndexProvisioner sees every registration when it provisions.
    const registration: Provider = { provide: Symbol('MONGO_FEATURE_INDEXES'), useFactory: (provisioner: IndexProvisioner) => provisioner.register(specs), inject: [IndexProvisioner] };
    return { module: MongoModule, providers: [...providers, registration], exports: providers };
  }
}
