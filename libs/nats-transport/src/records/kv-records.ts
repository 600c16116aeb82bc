import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { leaseKey } from '../leases/kv-leases';

/**
 * What a change makes of a record: `next` is stored (JSON), `result` goes to its caller. It is given
 * the stored value (parsed JSON; undefined when the key has none or holds something unparseable) and
 * must be pure: a write that loses a race applies it again to the newer value.
 */
export type KvRecordChange<R> = (current: unknown) => { next: unknown; result: R };

/** A change that lost the race this many times in a row fails, so that its caller can fall back. */
const DEFAULT_MAX_ATTEMPTS = 10;

interface QueuedChange {
  apply: KvRecordChange<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

type Applied = { ok: true; result: unknown } | { ok: false; error: unknown };

/**
 * Small JSON records in one NATS KV bucket, each changed by read, apply, and a write conditional on
 * the revision read (the server's compare-and-set); a write that loses to another writer reads
 * again and applies again, so no change is ever lost or applied to a stale value. Changes of one key
 * from this process wait behind the write in flight and then go in one write together, applied in
 * arrival order: one write per key and process at a time, so the replicas race each other but a
 * process never races itself (N concurrent changes cost two round trips, not N² retries).
 * @example const waitMs = await records.change({ key: 'account-a1', apply: (bucket) => takeToken(bucket) });
 */
export class KvRecords {
  /** Keys with a write in flight, and the changes waiting for the next one. */
  private readonly queues = new Map<string, QueuedChange[]>();
  private readonly maxAttempts: number;

  constructor(
    private readonly kv: KV,
    { maxAttempts = DEFAULT_MAX_ATTEMPTS }: { maxAttempts?: number } = {},
  ) {
    this.maxAttempts = maxAttempts;
  }

  /**
   * Applies `apply` to the record of `key` (any string; one KV cannot hold is encoded as leases' ids are)
   * and stores what it makes of it. Rejects with the error of a failed read or write (NATS unavailable),
   * with the error `apply` threw, or when the write lost the race `maxAttempts` times in a row.
   */
  change<R>({ key, apply }: { key: string; apply: KvRecordChange<R> }): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const change: QueuedChange = { apply, resolve: resolve as (result: unknown) => void, reject };
      const queue = this.queues.get(key);
      if (queue) {
        queue.push(change);
        return;
      }
      this.queues.set(key, [change]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length > 0) {
      const batch = queue.splice(0);
      try {
        const applied = await this.write(leaseKey(key), batch.map(({ apply }) => apply));
        batch.forEach((change, n) => {
          const outcome = applied[n]!;
          if (outcome.ok) change.resolve(outcome.result);
          else change.reject(outcome.error);
        });
      } catch (error) {
        for (const change of batch) change.reject(error);
      }
    }
    this.queues.delete(key);
  }

  /** One compare-and-set of the record with every change of the batch applied in order. */
  private async write(key: string, applies: KvRecordChange<unknown>[]): Promise<Applied[]> {
    for (let attempt = 1; ; attempt += 1) {
      const entry = await this.kv.get(key);
      let value = entry?.operation === 'PUT' ? decodeRecord(entry.value) : undefined;
      const applied = applies.map((apply): Applied => {
        try {
          const { next, result } = apply(value);
          value = next;
          return { ok: true, result };
        } catch (error) {
          return { ok: false, error };
        }
      });
      const bytes = Buffer.from(JSON.stringify(value ?? null));
      // A deleted or purged key keeps a marker whose revision the update expects; an absent one is created.
      const written = await (entry ? this.kv.update(key, bytes, entry.revision) : this.kv.create(key, bytes)).catch(unlessRevisionConflict);
      if (written !== undefined) return applied;
      if (attempt >= this.maxAttempts) throw new Error(`KV record "${key}" was changed by another writer ${attempt} times in a row`);
    }
  }
}

/** A value that is not JSON (written by something else) counts as none, and so does null. */
function decodeRecord(bytes: Uint8Array): unknown {
  try {
    return (JSON.parse(Buffer.from(bytes).toString()) as unknown) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Another writer got there first: undefined. Anything else is an error of its own. */
function unlessRevisionConflict(error: unknown): undefined {
  if (error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) return undefined;
  throw error;
}
