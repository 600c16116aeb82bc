import type { KV } from '@nats-io/kv';
import { unlessRevisionConflict } from '../leases/kv-bucket.util';
import { leaseKey } from '../leases/kv-leases';

/**
 * What a change makes of a record: `next` is stored (JSON), `result` goes to its caller. It is given
 * the stored value (parsed JSON; undefined when the key has none or holds something unparseable) and
 * must be pure: a write that loses a race applies it again to the newer value.
 */
export type KvRecordChange<R> = (current: unknown) => { next: unknown; result: R };

/**
 * A change that kept losing the compare-and-set to other writers until its signal aborted. It was not
 * applied: nothing of it is stored. Contention, not an outage: NATS answered every request.
 */
export class KvRecordContendedError extends Error {
  override readonly name = 'KvRecordContendedError';

  constructor(readonly key: string) {
    super(`KV record "${key}" was changed by other writers until the change gave up`);
  }
}

/**
 * Backoff after a lost compare-and-set: a random wait up to a ceiling that doubles with each loss in a
 * row ("full jitter"), so that writers that collided spread out instead of colliding again in step.
 * Small, since a round trip to NATS is a millisecond or two and the callers (a send's rate-limit take)
 * wait for the outcome.
 */
const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 64;
/** Revisions this process wrote last, kept for this many keys (the least recently written go first). */
const MAX_REMEMBERED_KEYS = 10_000;

interface QueuedChange {
  apply: KvRecordChange<unknown>;
  signal: AbortSignal | undefined;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

type Applied = { ok: true; result: unknown } | { ok: false; error: unknown };
/** A record as stored at a revision (0: the key has never been written, or its marker is gone). */
interface Stored {
  revision: number;
  value: unknown;
}

/**
 * Small JSON records in one NATS KV bucket, each changed by read, apply, and a write conditional on
 * the revision read (the server's compare-and-set); a write that loses to another writer backs off a
 * few milliseconds (jittered), reads again and applies again, so no change is ever lost or applied to
 * a stale value. Changes of one key from this process wait behind the write in flight and join the
 * next attempt, applied in arrival order: one write per key and process at a time, so the replicas
 * race each other but a process never races itself, and a write that finally wins carries every
 * change that piled up meanwhile. A key this process wrote last is written without reading it first
 * (its revision and value are remembered): one round trip while no other replica writes it.
 * @example const waitMs = await records.change({ key: 'account-a1', apply: (bucket) => takeToken(bucket), signal: AbortSignal.timeout(750) });
 */
export class KvRecords {
  /** Keys with a write in flight, and the changes waiting for its next attempt. */
  private readonly queues = new Map<string, QueuedChange[]>();
  /** Per encoded key, what this process stored last (Map order: least recently written first). */
  private readonly lastWritten = new Map<string, Stored>();
  private readonly random: () => number;

  constructor(
    private readonly kv: KV,
    { random = Math.random }: { random?: () => number } = {},
  ) {
    this.random = random;
  }

  /**
   * Applies `apply` to the record of `key` (any string; one KV cannot hold is encoded as leases' ids are)
   * and stores what it makes of it. A lost compare-and-set is retried until the write wins or `signal`
   * aborts; then it rejects with KvRecordContendedError, and the change is not applied. A change already
   * in a write when its signal aborts waits for that write: it lands (resolves) or loses (rejects so).
   * Without a signal it retries until it wins. Rejects as well with the error of a failed read or write
   * (NATS unavailable: a write that timed out may still have landed), or with the error `apply` threw.
   */
  change<R>({ key, apply, signal }: { key: string; apply: KvRecordChange<R>; signal?: AbortSignal }): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const change: QueuedChange = { apply, signal, resolve: resolve as (result: unknown) => void, reject };
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
    const storedKey = leaseKey(key);
    let batch: QueuedChange[] = [];
    let losses = 0;
    for (;;) {
      batch = this.withoutAborted(key, [...batch, ...queue.splice(0)]);
      if (batch.length === 0) break;
      try {
        const applied = await this.write(storedKey, batch, losses === 0);
        if (applied) {
          batch.forEach((change, n) => settle(change, applied[n]!));
          batch = [];
          losses = 0;
          continue;
        }
      } catch (error) {
        for (const change of batch) change.reject(error);
        batch = [];
        losses = 0;
        continue;
      }
      losses += 1;
      batch = this.withoutAborted(key, batch);
      if (batch.length > 0) await new Promise((resolve) => setTimeout(resolve, this.random() * Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (losses - 1))));
    }
    this.queues.delete(key);
  }

  /** Rejects the changes whose signal aborted (none of them is in a write now) and returns the rest. */
  private withoutAborted(key: string, changes: QueuedChange[]): QueuedChange[] {
    return changes.filter((change) => {
      if (!change.signal?.aborted) return true;
      change.reject(new KvRecordContendedError(key));
      return false;
    });
  }

  /**
   * One compare-and-set of the record with every change of the batch applied in order: their outcomes,
   * or undefined when another writer got there first. A batch that has not lost yet (`uncontended`)
   * writes on the revision this process stored last without reading it; what a write stores is
   * remembered only when it lost nothing on the way, so that a key other replicas keep writing is
   * read first (two round trips) rather than written blind and then read (three).
   */
  private async write(key: string, batch: QueuedChange[], uncontended: boolean): Promise<Applied[] | undefined> {
    const remembered = uncontended ? this.lastWritten.get(key) : undefined;
    if (remembered) {
      const applied = await this.writeOn({ key, stored: remembered, batch, remember: true });
      if (applied) return applied;
    }
    const entry = await this.kv.get(key);
    // A deleted or purged key keeps a marker whose revision the update expects; an absent one is created.
    const stored = { revision: entry?.revision ?? 0, value: entry?.operation === 'PUT' ? decodeRecord(entry.value) : undefined };
    return this.writeOn({ key, stored, batch, remember: uncontended && !remembered });
  }

  private async writeOn({ key, stored, batch, remember }: { key: string; stored: Stored; batch: QueuedChange[]; remember: boolean }): Promise<Applied[] | undefined> {
    let value = stored.value;
    const applied = batch.map(({ apply }): Applied => {
      try {
        const { next, result } = apply(value);
        value = next;
        return { ok: true, result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    const json = JSON.stringify(value ?? null);
    this.lastWritten.delete(key);
    const revision = await (stored.revision > 0 ? this.kv.update(key, json, stored.revision) : this.kv.create(key, json)).catch(unlessRevisionConflict);
    if (revision === undefined) return undefined;
    if (remember) {
      this.lastWritten.set(key, { revision, value: decodeRecord(Buffer.from(json)) });
      if (this.lastWritten.size > MAX_REMEMBERED_KEYS) this.lastWritten.delete(this.lastWritten.keys().next().value!);
    }
    return applied;
  }
}

function settle(change: QueuedChange, outcome: Applied): void {
  if (outcome.ok) change.resolve(outcome.result);
  else change.reject(outcome.error);
}

/** A value that is not JSON (written by something else) counts as none, and so does null. */
function decodeRecord(bytes: Uint8Array): unknown {
  try {
    return (JSON.parse(Buffer.from(bytes).toString()) as unknown) ?? undefined;
  } catch {
    return undefined;
  }
}
