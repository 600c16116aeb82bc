import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LeaseBuckets, type KvLease, type KvLeases } from '@mailbus/nats-transport';
import { MAX_FETCH_LEASE_MS } from '../config/fetcher.config';

const BUCKET = 'fetch-account-leases';

/**
 * One writer per mailbox (SPEC §3.6): a replica works on an account only while it holds its lease, a
 * key in NATS KV taken and renewed by compare-and-set on the server. The leases this replica holds
 * are kept here by account, so the scheduler takes and releases them and the run renews them.
 */
@Injectable()
export class AccountLeases implements OnModuleInit {
  private leases!: KvLeases;
  private readonly held = new Map<string, KvLease>();

  constructor(private readonly buckets: LeaseBuckets) {}

  async onModuleInit(): Promise<void> {
    this.leases = await this.buckets.open({ bucket: BUCKET, maxLeaseMs: MAX_FETCH_LEASE_MS });
  }

  /** False when a live holder has it, this replica included. */
  async tryAcquire({ accountId, owner, leaseMs }: { accountId: string; owner: string; leaseMs: number }): Promise<boolean> {
    const lease = await this.leases.tryAcquire({ id: accountId, holder: owner, leaseMs });
    if (lease) this.held.set(accountId, lease);
    return lease !== undefined;
  }

  /** False when the lease was lost (it ran out and another replica took it): the run must stop writing. */
  async renew({ accountId }: { accountId: string }): Promise<boolean> {
    return (await this.held.get(accountId)?.renew()) ?? false;
  }

  async release({ accountId }: { accountId: string }): Promise<void> {
    const lease = this.held.get(accountId);
    this.held.delete(accountId);
    await lease?.release();
  }
}
