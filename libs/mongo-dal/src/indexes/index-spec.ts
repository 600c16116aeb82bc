import type { Document, IndexDirection } from 'mongodb';

/**
 * One index a repository needs, declared next to the queries it serves and created at start by the
 * IndexProvisioner. `purpose` names that query, so an unused index is easy to spot and drop.
 * FerretDB 1.24 (our test server) rejects `partialFilterExpression` and `expireAfterSeconds` with
 * NotImplemented, so a spec that uses them only works against MongoDB proper.
 * @example
 * static readonly indexes: IndexSpec[] = [{
 *   collection: 'messages', key: { accountId: 1, fetchKey: 1 }, options: { name: 'account_fetch_key_unique', unique: true },
 *   purpose: 'insertIfAbsent by fetch key: a re-fetched message maps to the stored one',
 * }];
 */
export interface IndexSpec {
  collection: string;
  /** Field order matters, as in MongoDB. */
  key: Readonly<Record<string, IndexDirection>>;
  options: {
    /** Always explicit: generated names change with the key and break conflict reports. */
    name: string;
    unique?: boolean;
    partialFilterExpression?: Document;
    expireAfterSeconds?: number;
  };
  /** The query (or guarantee) this index serves. */
  purpose: string;
}

/** A provider class that declares its indexes, as accepted by `MongoModule.forFeature`. */
export interface IndexedClass {
  readonly indexes?: readonly IndexSpec[];
}
