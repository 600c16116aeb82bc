import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

// KV bucket names may hold letters, digits, "-" and "_".
const BUCKET_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * A KV bucket of one entry per key (history 1, on file), created on first use; the settings of one
 * that exists are left alone. A key nobody writes for `ttlMs` is removed by the server.
 */
export async function openKvBucket({ js, bucket, ttlMs, replicas, what }: { js: JetStreamClient; bucket: string; ttlMs: number; replicas: number; what: string }): Promise<KV> {
  if (!BUCKET_NAME.test(bucket)) throw new Error(`${what} bucket "${bucket}" may only contain letters, digits, "-" and "_"`);
  return new Kvm(js).create(bucket, { history: 1, ttl: ttlMs, replicas, storage: 'file' });
}

/** A conditional write another writer got to first: undefined. Anything else is an error of its own. */
export function unlessRevisionConflict(error: unknown): undefined {
  if (error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) return undefined;
  throw error;
}
