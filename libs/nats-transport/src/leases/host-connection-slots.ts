import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RetryLaterError } from '../errors/retry-later.error';
import type { KvLease, KvLeases } from './kv-leases';
import { LeaseBuckets } from './lease-buckets';

/** A slot held by this process: renew it while the connection lives, release it once the connection is closed. */
export type HostSlot = KvLease;

const BUCKET = 'host-connection-slots';
/** The longest slot lease any caller takes (FETCH_LEASE_MS is checked against it). */
export const MAX_SLOT_LEASE_MS = 10 * 60_000;
/** A short session's slot is held at most this long: a login and a few commands, each within a mail timeout. */
const SESSION_SLOT_LEASE_MS = 120_000;
/** When every slot of the host is taken, the event that wanted a short session comes back after this. */
const HOST_BUSY_RETRY_MS = 5_000;

/**
 * A cap on concurrent connections per mail server host that holds across replicas and services
 * (providers limit connections per client IP): `cap` numbered slots per host, each a lease in NATS
 * KV, so a replica that dies frees its slots within the lease time, and of two racing for the last
 * free slot exactly one gets it.
 */
@Injectable()
export class HostConnectionSlots implements OnModuleInit {
  private leases!: KvLeases;

  constructor(private readonly buckets: LeaseBuckets) {}

  async onModuleInit(): Promise<void> {
    this.leases = await this.buckets.open({ bucket: BUCKET, maxLeaseMs: MAX_SLOT_LEASE_MS });
  }

  /** A free slot of the host, or undefined when all `cap` are taken. */
  async acquire({ host, cap, holder, leaseMs }: { host: string; cap: number; holder: string; leaseMs: number }): Promise<HostSlot | undefined> {
    for (let n = 0; n < cap; n += 1) {
      const slot = await this.leases.tryAcquire({ id: `${host.toLowerCase()}#${n}`, holder, leaseMs });
      if (slot) return slot;
    }
    return undefined;
  }

  /**
   * Runs a short session (a write-back, a Sent-folder copy) in a slot of the host, released after.
   * @throws RetryLaterError when every slot is taken: the event handler's delivery comes back later
   */
  async inSlot<T>({ host, cap, holder }: { host: string; cap: number; holder: string }, work: () => Promise<T>): Promise<T> {
    const slot = await this.acquire({ host, cap, holder, leaseMs: SESSION_SLOT_LEASE_MS });
    if (!slot) throw new RetryLaterError(HOST_BUSY_RETRY_MS, `every connection slot of ${host} is taken`);
    try {
      return await work();
    } finally {
      await slot.release().catch(() => undefined);
    }
  }
}
