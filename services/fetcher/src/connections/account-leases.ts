import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LeaseBuckets, type KvLease, type KvLeases } from '@mailbus/nats-transport';
import { MAX_FETCH_LEASE_MS } from '../config/fetcher.config';

const BUCKET = 'fetch-account-leases';

/**
 * One writer per mailbox (SPEC §3.6): a replica works on an account only while it holds its lease, a
 * key in NATS KV taken and renewed by compare-and-set on the server.
 */
@Injectable()
export class AccountLeases implements OnModuleInit {
  private leases!: KvLeases;

  constructor(private readonly buckets: LeaseBuckets) {}

  async onModuleInit(): Promise<void> {
    this.leases = await this.buckets.open({ bucket: BUCKET, maxLeaseMs: MAX_FETCH_LEASE_MS });
  }

  /** The account's lease, or undefined when a live holder has it (this replica included). */
  tryAcquire({ accountId, owner, leaseMs }: { accountId: string; owner: string; leaseMs: number }): Promise<KvLease | undefined> {
    return this.leases.tryAcquire({ id: accountId, holder: owner, leaseMs });
  }
}
