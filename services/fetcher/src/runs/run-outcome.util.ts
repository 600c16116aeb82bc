import type { ConnectionErrorClass } from '@mailbus/mail-protocol';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { nextActiveTime, type ActiveHours } from './active-hours.util';
import type { RunResult } from './fetch-account';
import { MORE_WORK_DELAY_MS, nextRegularRun, nextRunAfterFailure, nextRunAfterInterruption } from './run-timing.util';

/** The schedule-relevant part of an account's receive settings. */
export interface RunSchedule {
  intervalSeconds: number;
  activeHours?: ActiveHours | null;
}

/** What a finished run writes into the account's sync state. */
export interface StateUpdate {
  set: Partial<AccountSyncStateDocument>;
  unset: Array<keyof AccountSyncStateDocument>;
}

/**
 * A run that completed: idle, the failure streak and any auth clock or disablement end here and only
 * here (rule 31). The next run is after the interval, soon when the budget ran out, never before a
 * server's LOGIN-DELAY, and always inside the active hours.
 */
export function stateAfterSuccess({
  now,
  result,
  notBefore,
  schedule,
  random = Math.random,
}: {
  now: Date;
  result: Pick<RunResult, 'more'>;
  /** The server's LOGIN-DELAY runs until then (RunNotes). */
  notBefore?: Date;
  schedule: RunSchedule;
  random?: () => number;
}): StateUpdate & { nextRunAt: Date } {
  const planned = result.more ? new Date(now.getTime() + MORE_WORK_DELAY_MS) : nextRegularRun({ now: now.getTime(), intervalSeconds: schedule.intervalSeconds, random });
  const nextRunAt = nextActiveTime({ at: notEarlier(planned, notBefore), activeHours: schedule.activeHours });
  return { nextRunAt, set: { state: 'idle', lastSuccessAt: now, nextRunAt, consecutiveFailures: 0 }, unset: ['error', 'authFailingSince', 'disabled', 'forceRun', 'interruptedRuns'] };
}

/**
 * A run that failed: error with backoff, or, when AUTH failures have gone on for `disableAfterMs`
 * without a success or another error class in between, disabled with no next run (rule 32: alert at
 * once through the error state and account.sync_failed, disable later). Another error class ends
 * the auth streak, so an account is only disabled when every failure of the period was AUTH. A run
 * that logged in before it failed waits for the server's LOGIN-DELAY too: the backoff may be shorter,
 * and the server would refuse the login ([LOGIN-DELAY]) and count as one more failure.
 */
export function stateAfterFailure({
  now,
  state,
  schedule,
  errorClass,
  message,
  disableAfterMs,
  accountRevision,
  notBefore,
  random = Math.random,
}: {
  now: Date;
  state: Pick<AccountSyncStateDocument, 'consecutiveFailures' | 'authFailingSince'>;
  schedule: RunSchedule;
  errorClass: ConnectionErrorClass;
  message: string;
  /** Undefined: never disable. */
  disableAfterMs: number | undefined;
  accountRevision: number;
  notBefore?: Date;
  random?: () => number;
}): StateUpdate & { failures: number; nextRunAt?: Date; disabled?: NonNullable<AccountSyncStateDocument['disabled']> } {
  const failures = (state.consecutiveFailures ?? 0) + 1;
  const error = { class: errorClass, message, at: now };
  const authFailingSince = errorClass === 'auth' ? (state.authFailingSince ?? now) : undefined;
  if (authFailingSince && disableAfterMs !== undefined && now.getTime() - authFailingSince.getTime() >= disableAfterMs) {
    const disabled = { reason: 'auth' as const, since: authFailingSince, at: now, accountRevision };
    return { failures, disabled, set: { state: 'disabled', error, consecutiveFailures: failures, authFailingSince, disabled }, unset: ['nextRunAt', 'forceRun', 'interruptedRuns'] };
  }
  const nextRunAt = nextActiveTime({ at: notEarlier(nextRunAfterFailure({ now: now.getTime(), failures, intervalSeconds: schedule.intervalSeconds, random }), notBefore), activeHours: schedule.activeHours });
  return {
    failures,
    nextRunAt,
    set: { state: 'error', error, consecutiveFailures: failures, nextRunAt, ...(authFailingSince ? { authFailingSince } : {}) },
    unset: ['disabled', 'forceRun', 'interruptedRuns', ...(authFailingSince ? [] : (['authFailingSince'] as const))],
  };
}

/**
 * A run that mailbus's own store or NATS cut short (isMailbusFailure): no failure of the account. Its
 * state, error, failure streak and auth clock stay as the last finished run left them, and it runs
 * again in seconds, not after its interval or a backoff meant for a failing mail server; the delay
 * grows while such interruptions go on in a row (a store that keeps refusing one write). An admin's
 * "sync now" stays pending.
 */
export function stateAfterInterruption({
  now,
  state,
  schedule,
  notBefore,
  random = Math.random,
}: {
  now: Date;
  state: Pick<AccountSyncStateDocument, 'error' | 'interruptedRuns' | 'forceRun'>;
  schedule: RunSchedule;
  /** The server's LOGIN-DELAY runs until then. */
  notBefore?: Date;
  random?: () => number;
}): StateUpdate & { nextRunAt: Date } {
  const interruptedRuns = (state.interruptedRuns ?? 0) + 1;
  const retryAt = notEarlier(nextRunAfterInterruption({ now: now.getTime(), interruptions: interruptedRuns, random }), notBefore);
  const nextRunAt = state.forceRun ? retryAt : nextActiveTime({ at: retryAt, activeHours: schedule.activeHours });
  return { nextRunAt, set: { state: state.error ? 'error' : 'idle', nextRunAt, interruptedRuns }, unset: [] };
}

/**
 * A run stopped before it was done, by the fetcher's shutdown (its lease still held): not a success,
 * since it proves nothing about the account, and not a failure. State, error, failure streak, auth
 * clock and a pending "sync now" stay; the account comes back soon (it has more to do), never before
 * a server's LOGIN-DELAY, inside the active hours unless an admin forced it.
 */
export function stateAfterStop({
  now,
  state,
  notBefore,
  schedule,
}: {
  now: Date;
  state: Pick<AccountSyncStateDocument, 'error' | 'forceRun'>;
  /** The server's LOGIN-DELAY runs until then. */
  notBefore?: Date;
  schedule: RunSchedule;
}): StateUpdate & { nextRunAt: Date } {
  const at = notEarlier(new Date(now.getTime() + MORE_WORK_DELAY_MS), notBefore);
  const nextRunAt = state.forceRun ? at : nextActiveTime({ at, activeHours: schedule.activeHours });
  return { nextRunAt, set: { state: state.error ? 'error' : 'idle', nextRunAt }, unset: [] };
}

/**
 * A wake-up that arrived while the run was working (new mail seen through IDLE, "sync now", a changed
 * account) moved nextRunAt after the run read its state; the run's own write must not push that back
 * to the regular interval. So the earlier of the two times wins, and a "sync now" set meanwhile stays
 * pending; but never before the server's LOGIN-DELAY. A write that takes the account out of the
 * schedule (no nextRunAt) is left as it is.
 * @param started the state the run started from; @param current the state just before the run's write
 */
export function keepWakeDuringRun({
  update,
  started,
  current,
  notBefore,
}: {
  update: StateUpdate;
  started: Pick<AccountSyncStateDocument, 'nextRunAt'>;
  current: Pick<AccountSyncStateDocument, 'nextRunAt' | 'forceRun'> | null;
  notBefore?: Date;
}): StateUpdate {
  const planned = update.set.nextRunAt;
  const requested = current?.nextRunAt;
  if (!planned || !requested || requested.getTime() === started.nextRunAt?.getTime()) return update;
  const earlier = requested < planned ? requested : planned;
  const nextRunAt = notEarlier(earlier, notBefore);
  const unset = current?.forceRun ? update.unset.filter((field) => field !== 'forceRun') : update.unset;
  return { set: { ...update.set, nextRunAt }, unset };
}

/**
 * Every folder failed to sync (all parked, none exists): the run failed, whatever else it did.
 * Retention errors are not counted: a folder that could not be housekept was still fetched.
 */
export function everyFolderFailed({ result, folders }: { result: Pick<RunResult, 'folderErrors'>; folders: string[] }): boolean {
  return result.folderErrors.length > 0 && result.folderErrors.length >= folders.length;
}

/**
 * A run due before the server's LOGIN-DELAY from the last login is over ("sync now", an account
 * change, a host-busy retry): it does not log in, and comes back when the server allows it (inside
 * the active hours unless an admin forced it; a pending "sync now" stays). Undefined when the login
 * is allowed.
 */
export function loginDelayed({ now, state, schedule }: { now: Date; state: Pick<AccountSyncStateDocument, 'loginNotBefore' | 'forceRun'>; schedule: RunSchedule }): StateUpdate | undefined {
  const { loginNotBefore } = state;
  if (!loginNotBefore || loginNotBefore <= now) return undefined;
  return { set: { nextRunAt: state.forceRun ? loginNotBefore : nextActiveTime({ at: loginNotBefore, activeHours: schedule.activeHours }) }, unset: [] };
}

/** `at`, or `notBefore` when that is later. */
const notEarlier = (at: Date, notBefore: Date | undefined): Date => (notBefore && notBefore > at ? notBefore : at);
