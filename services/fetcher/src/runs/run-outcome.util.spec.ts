import { describe, expect, it } from 'vitest';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { everyFolderFailed, keepWakeDuringRun, loginDelayed, stateAfterFailure, stateAfterInterruption, stateAfterStop, stateAfterSuccess, type RunSchedule } from './run-outcome.util';

const at = (iso: string): Date => new Date(`${iso}Z`);
const middle = () => 0.5;
const HOUR = 3_600_000;
const hourly: RunSchedule = { intervalSeconds: 3600 };
// 2026-11-23 is a Monday.
const office: RunSchedule = { intervalSeconds: 3600, activeHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00', timeZone: 'Europe/Berlin' } };

type Streak = Pick<AccountSyncStateDocument, 'consecutiveFailures' | 'authFailingSince'>;

/** Applies an update to a state the way finishRun does ($set then $unset). */
const apply = (
  state: Partial<AccountSyncStateDocument>,
  { set, unset }: { set: Partial<AccountSyncStateDocument>; unset: Array<keyof AccountSyncStateDocument> },
): Partial<AccountSyncStateDocument> => {
  const next: Partial<AccountSyncStateDocument> = { ...state, ...set };
  for (const field of unset) delete next[field];
  return next;
};

const fail = ({
  state,
  now,
  errorClass = 'auth',
  disableAfterMs = 72 * HOUR,
  schedule = hourly,
}: {
  state: Streak;
  now: Date;
  errorClass?: 'auth' | 'timeout' | 'protocol';
  disableAfterMs?: number;
  schedule?: RunSchedule;
}) => stateAfterFailure({ now, state, schedule, errorClass, message: `${errorClass} failed`, disableAfterMs, accountRevision: 7, random: middle });

describe('run outcome', () => {
  it('should reset the failure streak only when a run completes', () => {
    let state: Partial<AccountSyncStateDocument> = { consecutiveFailures: 0 };
    state = apply(state, fail({ state: { consecutiveFailures: 0 }, now: at('2026-11-23T10:00:00'), errorClass: 'protocol' }));
    state = apply(state, fail({ state: state as Streak, now: at('2026-11-23T10:01:00'), errorClass: 'timeout' }));
    expect(state).toMatchObject({ state: 'error', consecutiveFailures: 2, error: { class: 'timeout' } });

    state = apply(state, stateAfterSuccess({ now: at('2026-11-23T10:05:00'), result: { more: false }, schedule: hourly, random: middle }));
    expect(state).toEqual({ state: 'idle', consecutiveFailures: 0, lastSuccessAt: at('2026-11-23T10:05:00'), nextRunAt: at('2026-11-23T11:05:00') });
  });

  it('should keep growing the backoff when failures follow each other, whatever class they have', () => {
    const delays = [0, 1, 2].map((consecutiveFailures) => {
      const now = at('2026-11-23T10:00:00');
      return fail({ state: { consecutiveFailures }, now, errorClass: 'protocol', schedule: { intervalSeconds: 30 } }).nextRunAt!.getTime() - now.getTime();
    });
    expect(delays).toEqual([60_000, 120_000, 240_000]);
  });

  it('should push the next run after a success to the next opening when the active hours are over', () => {
    const { nextRunAt } = stateAfterSuccess({ now: at('2026-11-27T15:30:00'), result: { more: false }, schedule: office, random: middle });
    // Friday 16:30 in Berlin + 1 h is after 17:00: Monday 08:00 CET.
    expect(nextRunAt).toEqual(at('2026-11-30T07:00:00'));
  });

  it('should push a continuation and a LOGIN-DELAY into the active hours too', () => {
    expect(stateAfterSuccess({ now: at('2026-11-23T15:59:59.500'), result: { more: true }, schedule: office }).nextRunAt).toEqual(at('2026-11-24T07:00:00'));
    expect(stateAfterSuccess({ now: at('2026-11-23T10:00:00'), result: { more: false }, notBefore: at('2026-11-23T12:00:00'), schedule: hourly, random: middle }).nextRunAt).toEqual(
      at('2026-11-23T12:00:00'),
    );
  });

  it('should not retry a run that logged in and then failed before the server LOGIN-DELAY, though the backoff is shorter', () => {
    const now = at('2026-11-23T10:00:00');
    const notBefore = at('2026-11-23T10:15:00');
    const retry = (loginDelay?: Date) => stateAfterFailure({ now, state: { consecutiveFailures: 0 }, schedule: { intervalSeconds: 60 }, errorClass: 'timeout', message: 'timed out', disableAfterMs: undefined, accountRevision: 1, notBefore: loginDelay, random: middle });
    expect(retry().nextRunAt).toEqual(at('2026-11-23T10:01:00'));
    expect(retry(notBefore).nextRunAt).toEqual(notBefore);
    expect(retry(notBefore).set.nextRunAt).toEqual(notBefore);
  });

  it('should push the retry after a failure to the next opening when the active hours are over', () => {
    expect(fail({ state: { consecutiveFailures: 3 }, now: at('2026-11-23T15:50:00'), errorClass: 'timeout', schedule: office }).nextRunAt).toEqual(at('2026-11-24T07:00:00'));
  });

  it('should set state error at once and start the auth clock when the first AUTH failure comes', () => {
    const outcome = fail({ state: { consecutiveFailures: 0 }, now: at('2026-11-23T10:00:00') });
    expect(outcome.disabled).toBeUndefined();
    expect(outcome.set).toMatchObject({ state: 'error', consecutiveFailures: 1, authFailingSince: at('2026-11-23T10:00:00'), error: { class: 'auth', message: 'auth failed' } });
    expect(outcome.nextRunAt).toEqual(at('2026-11-23T11:00:00'));
  });

  it('should disable the account with no next run when AUTH failures last the configured time', () => {
    const since = at('2026-11-20T10:00:00');
    const before = fail({ state: { consecutiveFailures: 9, authFailingSince: since }, now: at('2026-11-23T09:59:59') });
    expect(before.set.state).toBe('error');

    const outcome = fail({ state: { consecutiveFailures: 9, authFailingSince: since }, now: at('2026-11-23T10:00:00') });
    expect(outcome.nextRunAt).toBeUndefined();
    expect(outcome.disabled).toEqual({ reason: 'auth', since, at: at('2026-11-23T10:00:00'), accountRevision: 7 });
    const state = apply({ nextRunAt: at('2026-11-23T10:00:00'), forceRun: true }, outcome);
    expect(state).toMatchObject({ state: 'disabled', consecutiveFailures: 10, error: { class: 'auth' }, authFailingSince: since });
    expect(state.nextRunAt).toBeUndefined();
    expect(state.forceRun).toBeUndefined();
  });

  it('should restart the auth clock when a failure of another class comes in between', () => {
    const outcome = fail({ state: { consecutiveFailures: 9, authFailingSince: at('2026-11-20T10:00:00') }, now: at('2026-11-23T10:00:00'), errorClass: 'timeout' });
    expect(outcome.unset).toContain('authFailingSince');
    expect(fail({ state: { consecutiveFailures: 10 }, now: at('2026-11-23T11:00:00') }).set).toMatchObject({ state: 'error', authFailingSince: at('2026-11-23T11:00:00') });
  });

  it('should never disable when the limit is off', () => {
    const outcome = stateAfterFailure({
      now: at('2026-11-23T10:00:00'),
      state: { consecutiveFailures: 500, authFailingSince: at('2025-01-01T00:00:00') },
      schedule: hourly,
      errorClass: 'auth',
      message: 'no',
      disableAfterMs: undefined,
      accountRevision: 1,
    });
    expect(outcome.set.state).toBe('error');
    expect(outcome.disabled).toBeUndefined();
  });

  it('should end a disablement and the auth clock when a forced run succeeds', () => {
    const disabled: Partial<AccountSyncStateDocument> = {
      state: 'disabled',
      consecutiveFailures: 12,
      authFailingSince: at('2026-11-20T10:00:00'),
      disabled: { reason: 'auth', since: at('2026-11-20T10:00:00'), at: at('2026-11-23T10:00:00'), accountRevision: 7 },
      forceRun: true,
    };
    const state = apply(disabled, stateAfterSuccess({ now: at('2026-11-23T12:00:00'), result: { more: false }, schedule: hourly, random: middle }));
    expect(state).toEqual({ state: 'idle', consecutiveFailures: 0, lastSuccessAt: at('2026-11-23T12:00:00'), nextRunAt: at('2026-11-23T13:00:00') });
  });

  describe('a run cut short by the store or NATS', () => {
    const failing: Partial<AccountSyncStateDocument> = { state: 'error', consecutiveFailures: 3, error: { class: 'timeout', message: 'timed out', at: at('2026-11-23T09:00:00') }, authFailingSince: undefined };

    it("should leave the account's error, streak and auth clock as they were and run it again within seconds, later while it goes on", () => {
      const now = at('2026-11-23T10:00:00');
      let state: Partial<AccountSyncStateDocument> = { ...failing, state: 'syncing' };
      const delays: number[] = [];
      for (let n = 0; n < 8; n++) {
        const outcome = stateAfterInterruption({ now, state: state as AccountSyncStateDocument, schedule: hourly, random: middle });
        delays.push(outcome.nextRunAt.getTime() - now.getTime());
        state = apply(state, outcome);
      }
      expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
      expect(state).toMatchObject({ state: 'error', consecutiveFailures: 3, error: failing.error, interruptedRuns: 8 });
    });

    it('should go back to idle for an account whose last finished run succeeded, and forget the interruptions with the next finished run', () => {
      const interrupted = apply({ state: 'syncing', consecutiveFailures: 0 }, stateAfterInterruption({ now: at('2026-11-23T10:00:00'), state: { interruptedRuns: 2 }, schedule: hourly, random: middle }));
      expect(interrupted).toMatchObject({ state: 'idle', interruptedRuns: 3, nextRunAt: at('2026-11-23T10:00:20') });

      expect(apply(interrupted, stateAfterSuccess({ now: at('2026-11-23T10:01:00'), result: { more: false }, schedule: hourly, random: middle })).interruptedRuns).toBeUndefined();
      expect(apply(interrupted, fail({ state: interrupted as Streak, now: at('2026-11-23T10:01:00'), errorClass: 'timeout' })).interruptedRuns).toBeUndefined();
    });

    it('should not come back before the server LOGIN-DELAY', () => {
      const notBefore = at('2026-11-23T10:15:00');
      expect(stateAfterInterruption({ now: at('2026-11-23T10:00:00'), state: {}, schedule: hourly, notBefore, random: middle }).nextRunAt).toEqual(notBefore);
    });

    it('should wait for the active hours unless an admin asked for the run', () => {
      // Friday 17:30 in Berlin: closed until Monday 08:00.
      const now = at('2026-11-27T16:30:00');
      expect(stateAfterInterruption({ now, state: {}, schedule: office, random: middle }).nextRunAt).toEqual(at('2026-11-30T07:00:00'));
      expect(stateAfterInterruption({ now, state: { forceRun: true }, schedule: office, random: middle }).nextRunAt).toEqual(at('2026-11-27T16:30:05'));
    });
  });
});

describe(stateAfterStop.name, () => {
  it('should keep the failure streak, the auth clock, the error and a pending "sync now" when a shutdown stops the run', () => {
    const before: Partial<AccountSyncStateDocument> = { state: 'error', consecutiveFailures: 3, authFailingSince: at('2026-11-23T08:00:00'), error: { class: 'auth', message: 'no', at: at('2026-11-23T09:00:00') }, forceRun: true };
    const after = apply(before, stateAfterStop({ now: at('2026-11-23T10:00:00'), state: before, schedule: hourly }));
    expect(after).toMatchObject({ state: 'error', consecutiveFailures: 3, authFailingSince: at('2026-11-23T08:00:00'), forceRun: true });
    expect(after.lastSuccessAt).toBeUndefined();
    expect(after.nextRunAt!.getTime() - at('2026-11-23T10:00:00').getTime()).toBeLessThan(60_000);
  });

  it('should not come back before the server LOGIN-DELAY', () => {
    const notBefore = at('2026-11-23T10:20:00');
    expect(stateAfterStop({ now: at('2026-11-23T10:00:00'), state: {}, notBefore, schedule: hourly }).nextRunAt).toEqual(notBefore);
  });
});

describe(keepWakeDuringRun.name, () => {
  const now = at('2026-11-23T10:00:00');
  const success = () => stateAfterSuccess({ now, result: { more: false }, schedule: hourly, random: middle });
  const started = { nextRunAt: at('2026-11-23T09:00:00') };

  it('should keep the next run of a wake-up that arrived during the run instead of the regular interval', () => {
    const woken = at('2026-11-23T09:59:30');
    const { set } = keepWakeDuringRun({ update: success(), started, current: { nextRunAt: woken } });
    expect(set.nextRunAt).toEqual(woken);
  });

  it('should keep a "sync now" requested during the run pending', () => {
    const { unset } = keepWakeDuringRun({ update: success(), started, current: { nextRunAt: at('2026-11-23T09:59:30'), forceRun: true } });
    expect(unset).not.toContain('forceRun');
  });

  it('should leave the update as it is when nothing woke the account during the run', () => {
    const update = success();
    expect(keepWakeDuringRun({ update, started, current: { nextRunAt: started.nextRunAt, forceRun: true } })).toEqual(update);
  });

  it('should keep the planned run when it comes before the requested one', () => {
    const { set } = keepWakeDuringRun({ update: success(), started, current: { nextRunAt: at('2026-11-24T10:00:00') } });
    expect(set.nextRunAt).toEqual(at('2026-11-23T11:00:00'));
  });

  it('should not wake the account before the server LOGIN-DELAY', () => {
    const notBefore = at('2026-11-23T10:20:00');
    const { set } = keepWakeDuringRun({ update: success(), started, current: { nextRunAt: at('2026-11-23T09:59:30') }, notBefore });
    expect(set.nextRunAt).toEqual(notBefore);
  });
});

describe(everyFolderFailed.name, () => {
  it('should not fail a run whose only errors are retention errors', () => {
    const result = { fetched: 3, more: false, folderErrors: [], messageErrors: [], retentionErrors: [{ folder: 'INBOX', message: 'the server lacks UIDPLUS' }] };
    expect(everyFolderFailed({ result, folders: ['INBOX'] })).toBe(false);
  });

  it('should fail a run in which every synced folder failed', () => {
    expect(everyFolderFailed({ result: { folderErrors: [{ folder: 'Nowhere', message: 'not found' }] }, folders: ['Nowhere'] })).toBe(true);
    expect(everyFolderFailed({ result: { folderErrors: [{ folder: 'Nowhere', message: 'not found' }] }, folders: ['Nowhere', 'INBOX'] })).toBe(false);
  });
});

describe(loginDelayed.name, () => {
  const now = at('2026-11-23T10:00:00');

  it('should let a run log in once the LOGIN-DELAY of the last login is over', () => {
    expect(loginDelayed({ now, state: {}, schedule: hourly })).toBeUndefined();
    expect(loginDelayed({ now, state: { loginNotBefore: now }, schedule: hourly })).toBeUndefined();
    expect(loginDelayed({ now, state: { loginNotBefore: at('2026-11-23T09:59:00') }, schedule: hourly })).toBeUndefined();
  });

  it('should hold a run due earlier ("sync now" included, which stays pending) until the server allows a login', () => {
    const loginNotBefore = at('2026-11-23T10:15:00');
    expect(loginDelayed({ now, state: { loginNotBefore, forceRun: true }, schedule: hourly })).toEqual({ set: { nextRunAt: loginNotBefore }, unset: [] });
  });

  it('should hold it until the active hours open again, unless an admin forced the run', () => {
    // Friday 16:55 in Berlin; the delay ends after 17:00.
    const friday = at('2026-11-27T15:55:00');
    const loginNotBefore = at('2026-11-27T16:10:00');
    expect(loginDelayed({ now: friday, state: { loginNotBefore }, schedule: office })?.set.nextRunAt).toEqual(at('2026-11-30T07:00:00'));
    expect(loginDelayed({ now: friday, state: { loginNotBefore, forceRun: true }, schedule: office })?.set.nextRunAt).toEqual(loginNotBefore);
  });
});
