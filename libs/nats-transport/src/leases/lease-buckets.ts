import { Inject, Injectable } from '@nestjs/common';
import { JetStreamClients } from '../connection/jetstream-clients.provider';
import { JETSTREAM_MODULE_OPTIONS } from '../jetstream.constants';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import { openKvBucket } from './kv-bucket.util';
import { KvLeases } from './kv-leases';

/**
 * Opens NATS KV buckets of leases, created on first use with the streams' replicas. A bucket keeps a
 * key for twice the longest lease, so what a dead holder or a release leaves behind goes by itself.
 * @example const leases = await buckets.open({ bucket: 'outbox-attempt-leases', maxLeaseMs: 60_000 });
 */
@Injectable()
export class LeaseBuckets {
  constructor(
    private readonly clients: JetStreamClients,
    @Inject(JETSTREAM_MODULE_OPTIONS) private readonly options: ResolvedJetStreamOptions,
  ) {}

  async open({ bucket, maxLeaseMs }: { bucket: string; maxLeaseMs: number }): Promise<KvLeases> {
    if (!(maxLeaseMs >= 1_000)) throw new Error('maxLeaseMs must be at least 1000');
    const kv = await openKvBucket({ js: this.clients.js, bucket, ttlMs: 2 * maxLeaseMs, replicas: this.options.streamReplicas, what: 'lease' });
    return new KvLeases(kv, maxLeaseMs);
  }
}
