import type { KV } from '@nats-io/kv';
import { unlessRevisionConflict } from './kv-bucket.util';

/** A lease this process holds; renew it before it runs out, release it when done. */
export interface KvLease {
  readonly id: string;
  readonly holder: string;
  /** Extends the lease by its length; false when it was lost (it ran out and another holder took it). */
  renew(): Promise<boolean>;
  /** Gives it up; a no-op when it was already lost. */
  release(): Promise<void>;
}

interface LeaseValue {
  holder: string;
  expiresAt: number;
}

// KV keys may hold letters, digits, "-", "_", "=", "/" and "." (not as a token); other ids are encoded.
const PLAIN_KEY = /^[-_A-Za-z0-9]+$/;

/**
 * Leases in one NATS KV bucket, decided by the server's compare-and-set: taking a free lease is a
 * create (fails when the key holds a value), taking over an expired one, renewing and releasing are
 * writes conditional on the revision the writer last saw. So of two replicas racing for a lease
 * exactly one wins, and nobody ever overwrites or deletes a lease it does not hold (a MongoDB
 * document lease on FerretDB could not promise that: its deletes match first and delete by _id after).
 * Expiry is the holder's deadline in the value, compared with the reader's clock; the bucket's own
 * max age only clears what dead holders and releases left behind.
 */
export class KvLeases {
  constructor(
    private readonly kv: KV,
    private readonly maxLeaseMs: number,
  ) {}

  /** The lease on `id` for `leaseMs`, or undefined when a live holder has it. */
  async tryAcquire({ id, holder, leaseMs }: { id: string; holder: string; leaseMs: number }): Promise<KvLease | undefined> {
    if (leaseMs > this.maxLeaseMs) throw new Error(`a lease of ${leaseMs} ms is longer than the bucket keeps one (${this.maxLeaseMs} ms)`);
    const key = leaseKey(id);
    const value = (): Uint8Array => encodeLease({ holder, expiresAt: Date.now() + leaseMs });
    const created = await this.kv.create(key, value()).catch(unlessRevisionConflict);
    if (created !== undefined) return this.lease({ id, holder, key, revision: created, value });
    const current = await this.kv.get(key);
    // Released since the create failed: whoever races for it now decides; this round is lost.
    if (!current || current.operation !== 'PUT') return undefined;
    if (decodeLease(current.value).expiresAt > Date.now()) return undefined;
    const taken = await this.kv.update(key, value(), current.revision).catch(unlessRevisionConflict);
    return taken === undefined ? undefined : this.lease({ id, holder, key, revision: taken, value });
  }

  /** Who holds `id` now, if anybody does. */
  async heldBy(id: string): Promise<string | undefined> {
    const entry = await this.kv.get(leaseKey(id));
    if (!entry || entry.operation !== 'PUT') return undefined;
    const lease = decodeLease(entry.value);
    return lease.expiresAt > Date.now() ? lease.holder : undefined;
  }

  /** Leases held now across the fleet. Reads every key the bucket still has: for gauges, not hot paths. */
  async countLive(): Promise<number> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(key);
    const now = Date.now();
    const entries = await Promise.all(keys.map((key) => this.kv.get(key)));
    return entries.filter((entry) => entry?.operation === 'PUT' && decodeLease(entry.value).expiresAt > now).length;
  }

  private lease({ id, holder, key, revision, value }: { id: string; holder: string; key: string; revision: number; value: () => Uint8Array }): KvLease {
    let held: number | undefined = revision;
    return {
      id,
      holder,
      renew: async () => {
        if (held === undefined) return false;
        held = await this.kv.update(key, value(), held).catch(unlessRevisionConflict);
        return held !== undefined;
      },
      release: async () => {
        if (held === undefined) return;
        const previousSeq = held;
        held = undefined;
        await this.kv.delete(key, { previousSeq }).catch(unlessRevisionConflict);
      },
    };
  }
}

/** The bucket key of a lease id: the id itself when KV allows it, else `=` and its base64url (which has no `=`). */
export function leaseKey(id: string): string {
  return PLAIN_KEY.test(id) ? id : `=${Buffer.from(id).toString('base64url')}`;
}

function encodeLease(lease: LeaseValue): Uint8Array {
  return Buffer.from(JSON.stringify(lease));
}

/** A value this class did not write counts as expired, so that a stray key never blocks its id. */
function decodeLease(bytes: Uint8Array): LeaseValue {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString()) as Partial<LeaseValue>;
    return { holder: String(value.holder ?? ''), expiresAt: Number(value.expiresAt) || 0 };
  } catch {
    return { holder: '', expiresAt: 0 };
  }
}
