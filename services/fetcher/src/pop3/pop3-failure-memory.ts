import { MAX_MESSAGE_ATTEMPTS } from '../imap/imap-folder.sync';
import type { StateUpdate } from '../runs/run-outcome.util';
import type { AccountSyncStateDocument, Pop3Failure } from '../sync-status/sync-state.documents';

/** As over IMAP: a message the server will not hand out is tried on this many runs, then given up. */
export const MAX_POP3_ATTEMPTS = MAX_MESSAGE_ATTEMPTS;
/**
 * The account's sync state holds the list, and the scheduler reads that document often: so it is
 * bounded. Over this many failing messages at once, the given-up ones are kept first (forgetting one
 * would let it be tried again), then the ones tried last.
 */
export const MAX_POP3_FAILURES_KEPT = 100;
const MAX_ERROR_LENGTH = 300;

/**
 * What the POP3 runs of an account remember about messages that failed (rule 12): a message the
 * server refuses (RETR -ERR) or drops the connection on is retried on later runs, each run that fails
 * on it counts one attempt, and after MAX_POP3_ATTEMPTS it is given up: never fetched, never deleted,
 * listed in the account's status while it is on the server. One that is fetched, stored already or
 * gone from the server leaves the list. Kept in memory during the run; the run's last state write
 * saves it (changes() also after a failed run), so the fetch path adds no store round trip.
 */
export class Pop3FailureMemory {
  private readonly failures: Map<string, Pop3Failure>;
  private readonly alone: Set<string>;
  private readonly fine = new Set<string>();
  private listed?: ReadonlySet<string>;
  private changed = false;

  constructor(
    state: Pick<AccountSyncStateDocument, 'pop3Failures' | 'pop3FetchAlone'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.failures = new Map((state.pop3Failures ?? []).map((failure) => [failure.uidl, failure]));
    this.alone = new Set(state.pop3FetchAlone);
  }

  /** Tried MAX_POP3_ATTEMPTS times: not fetched again. */
  givenUp(key: string): boolean {
    return this.failures.get(key)?.givenUp === true;
  }

  /**
   * Where the message goes in the run's order (pickBatch): 0 for the others, 1 for one suspected (it
   * was in a group the connection dropped on), 2 for one that failed before. Above 0 it is fetched alone.
   */
  rank(key: string): number {
    if (this.failures.has(key)) return 2;
    return this.alone.has(key) ? 1 : 0;
  }

  /** The listing of this run: entries of messages no longer on the server, or stored already, go. */
  listing({ keys, stored }: { keys: Iterable<string>; stored: Iterable<string> }): void {
    this.listed = new Set(keys);
    for (const key of stored) this.fine.add(key);
  }

  /** Stored by this run: it leaves the list. */
  fetched(key: string): void {
    this.fine.add(key);
  }

  /** This run failed on the message: one more attempt. @returns the text for the run's messageErrors and the status */
  failed({ key, problem }: { key: string; problem: string }): string {
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    const givenUp = attempts >= MAX_POP3_ATTEMPTS;
    const error = `${problem.slice(0, MAX_ERROR_LENGTH)} (attempt ${attempts} of ${MAX_POP3_ATTEMPTS}${givenUp ? '; given up: it stays on the server and is not fetched again' : ''})`;
    this.failures.set(key, { uidl: key, attempts, error, at: this.now(), ...(givenUp ? { givenUp } : {}) });
    this.alone.delete(key);
    this.fine.delete(key);
    this.changed = true;
    return error;
  }

  /** The server dropped the connection while sending these together and the run could not find out which one it was. */
  droppedTogether(keys: readonly string[]): void {
    for (const key of keys) if (!this.failures.has(key)) this.alone.add(key);
    this.changed = true;
  }

  /** The state fields to write with the run's outcome, or undefined when the run changed nothing. */
  changes(): StateUpdate | undefined {
    const gone = (key: string): boolean => this.fine.has(key) || (this.listed !== undefined && !this.listed.has(key));
    const failures = [...this.failures.values()].filter(({ uidl }) => !gone(uidl));
    const alone = [...this.alone].filter((key) => !gone(key));
    if (!this.changed && failures.length === this.failures.size && alone.length === this.alone.size) return undefined;
    const kept = failures.sort((a, b) => Number(b.givenUp ?? false) - Number(a.givenUp ?? false) || b.at.getTime() - a.at.getTime()).slice(0, MAX_POP3_FAILURES_KEPT);
    const update: StateUpdate = { set: {}, unset: [] };
    if (kept.length > 0) update.set.pop3Failures = kept;
    else update.unset.push('pop3Failures');
    if (alone.length > 0) update.set.pop3FetchAlone = alone.slice(0, MAX_POP3_FAILURES_KEPT);
    else update.unset.push('pop3FetchAlone');
    return update;
  }
}
