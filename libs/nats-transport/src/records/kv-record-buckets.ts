import { Inject, Injectable } from '@nestjs/common';
import { JetStreamClients } from '../connection/jetstream-clients.provider';
import { JETSTREAM_MODULE_OPTIONS } from '../jetstream.constants';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import { openKvBucket } from '../leases/kv-bucket.util';
import { KvRecords } from './kv-records';

/**
 * Opens NATS KV buckets of records changed by compare-and-set (KvRecords), created on first use with
 * the streams' replicas, as LeaseBuckets opens lease buckets. A key nobody writes for `maxAgeMs` is
 * removed by the server. The settings of a bucket that already exists are left alone, so keep
 * `maxAgeMs` independent of configuration.
 * @example const records = await buckets.open({ bucket: 'send-rate-limits', maxAgeMs: 5 * 60_000 });
 */
@Injectable()
export class KvRecordBuckets {
  constructor(
    private readonly clients: JetStreamClients,
    @Inject(JETSTREAM_MODULE_OPTIONS) private readonly options: ResolvedJetStreamOptions,
  ) {}

  async open({ bucket, maxAgeMs }: { bucket: string; maxAgeMs: number }): Promise<KvRecords> {
    if (!(maxAgeMs >= 1_000)) throw new Error('maxAgeMs must be at least 1000');
    return new KvRecords(await openKvBucket({ js: this.clients.js, bucket, ttlMs: maxAgeMs, replicas: this.options.streamReplicas, what: 'record' }));
  }
}
