import { MongoError } from 'mongodb';
import { BlobBusyError } from '../blob/blob-busy.error';

/**
 * True when the store failed an operation: the driver or the server (unreachable, timed out, a failed
 * write), or a blob another writer is still uploading. Callers that work for someone else (an account's
 * run, an outbox item) use it to tell "mailbus could not do it now" from a failure of what they work on.
 */
export function isStoreError(error: unknown): boolean {
  return error instanceof MongoError || error instanceof BlobBusyError;
}
