import type { Collection, Db, Document, OptionalUnlessRequiredId, Sort, UpdateFilter } from 'mongodb';
import type { AccountScope, ScopedFilter } from './account-scope';
import { isDuplicateKeyError, isOnlyDuplicateKeyErrors } from './duplicate-key.util';

/**
 * Base of every repository of an account-scoped collection. Each query takes a ScopedFilter, so a
 * query without `accountId` does not compile, and a cast-away one fails at runtime too. Writes are
 * built for at-least-once delivery: insertIfAbsent and upsert turn a duplicate key into "already there".
 * @example
 * @Injectable()
 * export class NoteRepository extends BaseRepository<NoteDocument> {
 *   static readonly indexes: IndexSpec[] = [...];
 *   constructor(@Inject(MONGO_DB) db: Db) { super({ db, collection: 'notes' }); }
 * }
 */
export abstract class BaseRepository<TDoc extends { _id: string }> {
  protected readonly collection: Collection<TDoc>;

  protected constructor({ db, collection }: { db: Db; collection: string }) {
    this.collection = db.collection<TDoc>(collection);
  }

  async findOne(filter: ScopedFilter<TDoc>): Promise<TDoc | null> {
    return (await this.collection.findOne(scoped(filter))) as TDoc | null;
  }

  /** Without `limit` it returns every match; list endpoints pass one. */
  async find({ filter, sort, limit, skip }: { filter: ScopedFilter<TDoc>; sort?: Sort; limit?: number; skip?: number }): Promise<TDoc[]> {
    let cursor = this.collection.find(scoped(filter));
    if (sort) cursor = cursor.sort(sort);
    if (skip) cursor = cursor.skip(skip);
    if (limit) cursor = cursor.limit(limit);
    return (await cursor.toArray()) as TDoc[];
  }

  /** Inserts unless a unique index already holds the document: the idempotent write of a redelivered event. */
  async insertIfAbsent(doc: OptionalUnlessRequiredId<TDoc> & AccountScope): Promise<{ inserted: boolean }> {
    scoped(doc);
    try {
      await this.collection.insertOne(doc);
      return { inserted: true };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { inserted: false };
      throw error;
    }
  }

  /**
   * insertIfAbsent for many documents in one round trip: unordered, so a document that is there
   * already does not stop the others. @returns how many were new.
   */
  async insertManyIfAbsent(docs: Array<OptionalUnlessRequiredId<TDoc> & AccountScope>): Promise<{ inserted: number }> {
    if (docs.length === 0) return { inserted: 0 };
    docs.forEach((doc) => scoped(doc));
    try {
      return { inserted: (await this.collection.insertMany(docs, { ordered: false })).insertedCount };
    } catch (error) {
      if (!isOnlyDuplicateKeyErrors(error)) throw error;
      return { inserted: (error as { insertedCount?: number }).insertedCount ?? 0 };
    }
  }

  /**
   * Updates the match or inserts it (the filter's equality fields, accountId included, become the new
   * document's fields). Two concurrent upserts can both miss and one then hits the unique index;
   * MongoDB's advice is to retry once, which then updates.
   */
  async upsert({ filter, update }: { filter: ScopedFilter<TDoc>; update: UpdateFilter<TDoc> }): Promise<{ upserted: boolean }> {
    const run = async (): Promise<{ upserted: boolean }> => ({ upserted: (await this.collection.updateOne(scoped(filter), update, { upsert: true })).upsertedCount > 0 });
    try {
      return await run();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return run();
    }
  }

  async updateOne({ filter, update }: { filter: ScopedFilter<TDoc>; update: UpdateFilter<TDoc> }): Promise<{ matched: boolean; modified: boolean }> {
    const result = await this.collection.updateOne(scoped(filter), update);
    return { matched: result.matchedCount > 0, modified: result.modifiedCount > 0 };
  }

  /** @returns whether a document was deleted */
  async deleteOne(filter: ScopedFilter<TDoc>): Promise<boolean> {
    return (await this.collection.deleteOne(scoped(filter))).deletedCount > 0;
  }

  async count(filter: ScopedFilter<TDoc>): Promise<number> {
    return this.collection.countDocuments(scoped(filter));
  }
}

/** The runtime half of the tenant guard, for callers that cast their way past the types. */
function scoped<T extends Document>(filter: T): T {
  const accountId: unknown = filter.accountId;
  if (typeof accountId !== 'string' || accountId.length === 0) throw new TypeError('account-scoped query without an accountId');
  return filter;
}
