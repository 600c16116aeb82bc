import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { BlobBusyError } from '../blob/blob-busy.error';

/**
 * True when the store failed an operation: the driver or the server (unreachable, timed out, a failed
 * write), or a blob another writer is still uploading. Callers that work for someone else (an account's
 * run, an outbox item) use it to tell "mailbus could not do it now" from a failure of what they work on.
 */
export function isStoreError(error: unknown): boolean {
  return error instanceof MongoError || error instanceof BlobBusyError;
}

const UNREACHABLE = [MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError, MongoServerClosedError, MongoClientClosedError, MongoOperationTimeoutError];

// The server's answers while it shuts down, steps down or loses its network: the codes the driver
// itself retries a write on once (HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress,
// PrimarySteppedDown, ExceededTimeLimit, SocketException, NotWritablePrimary, InterruptedAtShutdown,
// InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary).
const UNAVAILABLE_SERVER_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * True when the store cannot be reached or is going away right now, so the same operation will work
 * once it is back: the narrow part of isStoreError. A duplicate key, a document too large or a bad
 * query is not: retrying those changes nothing.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (UNREACHABLE.some((type) => error instanceof type)) return true;
  if (!(error instanceof MongoError)) return false;
  // A bulk write that lost its connection wraps the driver's error as its errorResponse.
  if (error instanceof MongoBulkWriteError && error.errorResponse instanceof Error) return isStoreUnavailable(error.errorResponse);
  if (error.hasErrorLabel(MongoErrorLabel.RetryableWriteError) || error.hasErrorLabel(MongoErrorLabel.ResetPool)) return true;
  return error instanceof MongoServerError && UNAVAILABLE_SERVER_CODES.has(Number(error.code));
}
