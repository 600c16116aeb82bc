import { MongoBulkWriteError, MongoClientClosedError, MongoInvalidArgumentError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { BlobBusyError } from '../blob/blob-busy.error';
import { blobId } from '../ids';
import { isStoreError, isStoreUnavailable } from './store-error.util';

const serverError = (code: number, labels: string[] = []) => new MongoServerError({ message: `code ${code}`, code, errorLabels: labels });

describe(isStoreUnavailable.name, () => {
  it('should be true for a store that cannot be reached, is closing or is stepping down', () => {
    expect(isStoreUnavailable(new MongoNetworkError('read ECONNRESET'))).toBe(true);
    expect(isStoreUnavailable(new MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isStoreUnavailable(new MongoServerSelectionError('Server selection timed out after 10000 ms', { type: 'Unknown' } as never))).toBe(true);
    expect(isStoreUnavailable(new MongoClientClosedError())).toBe(true);
    expect(isStoreUnavailable(serverError(91))).toBe(true); // ShutdownInProgress
    expect(isStoreUnavailable(serverError(10107))).toBe(true); // NotWritablePrimary
    expect(isStoreUnavailable(serverError(1, ['RetryableWriteError']))).toBe(true);
    // What an insertMany says when the connection closes under it.
    expect(isStoreUnavailable(new MongoBulkWriteError(new MongoNetworkError('connection 3 to 127.0.0.1:37999 closed'), {} as never))).toBe(true);
  });

  it('should be false for failures a retry does not change, and for anything not from the store', () => {
    expect(isStoreUnavailable(serverError(11000))).toBe(false); // duplicate key
    expect(isStoreUnavailable(serverError(10334))).toBe(false); // BSONObjectTooLarge
    expect(isStoreUnavailable(new MongoBulkWriteError({ message: 'E11000 duplicate key', code: 11000, writeErrors: [] }, {} as never))).toBe(false);
    expect(isStoreUnavailable(new MongoInvalidArgumentError('bad filter'))).toBe(false);
    expect(isStoreUnavailable(new BlobBusyError(blobId('b1'), 'another upload still holds it'))).toBe(false);
    expect(isStoreUnavailable(new Error('read ECONNRESET'))).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
  });

  it('should be the narrow part of isStoreError', () => {
    for (const error of [new MongoNetworkError('x'), serverError(91), serverError(11000), new BlobBusyError(blobId('b1'), 'busy')]) if (isStoreUnavailable(error)) expect(isStoreError(error)).toBe(true);
    expect(isStoreError(serverError(11000))).toBe(true);
  });
});
