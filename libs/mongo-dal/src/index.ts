export { MongoModule } from './mongo.module';
export { MONGO_CLIENT, MONGO_DB } from './mongo.constants';
export type { MongoModuleOptions, MongoModuleAsyncOptions, MongoConnectRetryOptions } from './mongo-module.options';
export { MongoConnectError } from './connection/mongo-connect.error';
export { redactMongoUrl } from './connection/redact-mongo-url.util';
export { MongoHealthIndicator, type MongoHealthResult } from './health/mongo-health.indicator';
export { IndexProvisioner } from './indexes/index.provisioner';
export { IndexProvisioningError } from './indexes/index-provisioning.error';
export type { IndexSpec, IndexedClass } from './indexes/index-spec';
export { BaseRepository } from './repository/base.repository';
export type { AccountScope, ScopedFilter } from './repository/account-scope';
export { isDuplicateKeyError, isOnlyDuplicateKeyErrors } from './repository/duplicate-key.util';
export { isStoreError, isStoreUnavailable } from './repository/store-error.util';
export { BlobStore, BLOB_STORE_OPTIONS } from './blob/blob.store';
export type { BlobPutInput, BlobPutResult, BlobStat, BlobStoreOptions } from './blob/blob-store.types';
export type { ByteSource } from './blob/fixed-size-chunks.util';
export { BlobNotFoundError } from './blob/blob-not-found.error';
export { BlobIntegrityError } from './blob/blob-integrity.error';
export { BlobBusyError } from './blob/blob-busy.error';
export {
  accountId,
  userId,
  messageId,
  deliveryId,
  outboxId,
  blobId,
  fetchKey,
  newId,
  type Brand,
  type AccountId,
  type UserId,
  type MessageId,
  type DeliveryId,
  type OutboxId,
  type BlobId,
  type FetchKey,
} from './ids';
