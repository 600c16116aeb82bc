import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MongoServerError, type Db } from 'mongodb';
import { MONGO_DB } from '../mongo.constants';
import { findIndexConflicts, sameIndexDefinition, type ExistingIndex } from './index-conflicts.util';
import { IndexProvisioningError } from './index-provisioning.error';
import type { IndexSpec } from './index-spec';

const NAMESPACE_NOT_FOUND = 26;
const NOT_IMPLEMENTED = 238;

/**
 * Creates every index that repositories declared (via `MongoModule.forFeature`) when the module
 * initialises, before the service takes work. Idempotent: indexes that exist as declared are left
 * alone, so every replica can run it at every start. Start fails with IndexProvisioningError when
 * an existing index contradicts a declaration; changing an index means a new name or a migration.
 */
@Injectable()
export class IndexProvisioner implements OnModuleInit {
  private readonly logger = new Logger(IndexProvisioner.name);
  private readonly registered = new Map<string, IndexSpec>();

  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  /** Adds declarations to create at module init. The same declaration twice is fine; two different ones under one name are not. */
  register(specs: readonly IndexSpec[]): void {
    for (const spec of specs) {
      const id = `${spec.collection}/${spec.options.name}`;
      const known = this.registered.get(id);
      if (known && !sameIndexDefinition(known, spec)) throw new IndexProvisioningError([`index "${spec.options.name}" on ${spec.collection} is declared twice with different definitions`]);
      this.registered.set(id, spec);
    }
  }

  async onModuleInit(): Promise<void> {
    await this.provision([...this.registered.values()]);
  }

  /**
   * Creates the given indexes that do not exist yet, collection by collection.
   * @example await provisioner.provision(BlobStore.indexes);
   */
  async provision(specs: readonly IndexSpec[]): Promise<void> {
    const byCollection = new Map<string, IndexSpec[]>();
    for (const spec of specs) byCollection.set(spec.collection, [...(byCollection.get(spec.collection) ?? []), spec]);
    for (const [collection, declared] of byCollection) await this.provisionCollection({ collection, declared });
  }

  private async provisionCollection({ collection, declared }: { collection: string; declared: IndexSpec[] }): Promise<void> {
    const existing = await this.existingIndexes(collection);
    const conflicts = findIndexConflicts({ declared, existing });
    if (conflicts.length > 0) throw new IndexProvisioningError(conflicts);
    const missing = declared.filter((spec) => !existing.some((index) => index.name === spec.options.name));
    if (missing.length === 0) return;
    try {
      await this.db.collection(collection).createIndexes(missing.map((spec) => ({ key: { ...spec.key }, ...spec.options })));
    } catch (error) {
      const names = missing.map((spec) => `"${spec.options.name}"`).join(', ');
      const hint = error instanceof MongoServerError && error.code === NOT_IMPLEMENTED ? ' (this server lacks an index option; FerretDB 1.x has no partial or TTL indexes)' : '';
      throw new IndexProvisioningError([`creating ${names} on ${collection} failed: ${(error as Error).message}${hint}`], { cause: error });
    }
    this.logger.log(`created indexes ${missing.map((spec) => spec.options.name).join(', ')} on ${collection}`);
  }

  private async existingIndexes(collection: string): Promise<ExistingIndex[]> {
    try {
      return (await this.db.collection(collection).listIndexes().toArray()) as ExistingIndex[];
    } catch (error) {
      if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) return [];
      throw error;
    }
  }
}
