import { Inject, Injectable } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { EVENTS_STREAM } from '@mailbus/contracts';
import { NATS_CONNECTION } from '../jetstream.constants';
import { KvRecords } from './kv-records';

// KV bucket names may hold letters, digits, "-" and "_".
const BUCKET_NAME = /^[A-Za-z0-9_-]+$/;
// As the module's own JetStream clients: long enough for a busy or clustered server.
const API_TIMEOUT_MS = 5_000;

/**
 * Opens NATS KV buckets of records changed by compare-and-set (KvRecords), created on first use.
 * Provide it where it is used (it needs only the module's NATS_CONNECTION). A bucket gets as many
 * replicas as the events stream has (JetStreamModule's `streamReplicas`), so its records are as
 * available as the events; a key nobody writes for `maxAgeMs` is removed by the server. The settings
 * of a bucket that already exists are left alone, so keep `maxAgeMs` independent of configuration.
 * @example const records = await buckets.open({ bucket: 'send-rate-limits', maxAgeMs: 5 * 60_000 });
 */
@Injectable()
export class KvRecordBuckets {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async open({ bucket, maxAgeMs }: { bucket: string; maxAgeMs: number }): Promise<KvRecords> {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`record bucket "${bucket}" may only contain letters, digits, "-" and "_"`);
    if (!(maxAgeMs >= 1_000)) throw new Error('maxAgeMs must be at least 1000');
    const jsm = await jetstreamManager(this.nc, { timeout: API_TIMEOUT_MS });
    const kv = await new Kvm(jsm.jetstream()).create(bucket, { history: 1, ttl: maxAgeMs, replicas: await eventsStreamReplicas(jsm), storage: 'file' });
    return new KvRecords(kv);
  }
}

/** The replicas of the events stream, which the module provisioned before any provider's init; 1 on a server without it. */
async function eventsStreamReplicas(jsm: JetStreamManager): Promise<number> {
  try {
    return (await jsm.streams.info(EVENTS_STREAM.name)).config.num_replicas;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return 1;
    throw error;
  }
}
