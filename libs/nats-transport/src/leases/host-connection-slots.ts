import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RetryLaterError } from '../errors/retry-later.error';
import type { KvLease, KvLeases } from './kv-leases';
import { LeaseBuckets } from './lease-buckets';

/** A slot held by this process: renew it while the connection lives, release it once the connection is closed. */
export type HostSlot = KvLease;

const BUCKET = 'host-connection-slots';
/** The longest slot lease any caller takes (FETCH_LEASE_MS is checked against it). */
export const MAX_SLOT_LEASE_MS = 10 * 60_000;
/** When every slot of the host is taken, the event that wanted a kept session comes back after this. */
const HOST_BUSY_RETRY_MS = 5_000;
/** How often a caller that can wait (acquireWithin) asks again: a release is not announced, and expiry is a deadline in the value. */
const WAIT_POLL_MS = 200;

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
   * A free slot of the host within `waitMs`, for a caller that wants one connection now and can wait
   * a little (an admin's connection test while the host's slots turn over between runs); undefined
   * when none was freed in time.
   */
  async acquireWithin({ waitMs, ...slot }: { host: string; cap: number; holder: string; leaseMs: number; waitMs: number }): Promise<HostSlot | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const taken = await this.acquire(slot);
      if (taken || Date.now() >= deadline) return taken;
      await delay(Math.min(WAIT_POLL_MS, deadline - Date.now()));
    }
  }

  /**
   * Slots for connections kept open between pieces of work (KeptImapSessions in mail-clients): each
   * session takes one of the host's `cap` slots; when none is free, the event that wanted one comes
   * back after HOST_BUSY_RETRY_MS (RetryLaterError).
   */
  forKeptSessions({ cap, holder }: { cap: number; holder: string }): { acquireSlot: (input: { host: string; leaseMs: number }) => Promise<HostSlot | undefined>; noSlot: (host: string) => Error } {
    return {
      acquireSlot: ({ host, leaseMs }) => this.acquire({ host, cap, holder, leaseMs }),
      noSlot: (host) => new RetryLaterError(HOST_BUSY_RETRY_MS, `every connection slot of ${host} is taken`),
    };
  }
}
