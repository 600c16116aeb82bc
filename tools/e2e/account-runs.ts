import { expect } from 'vitest';
import type { SyncStatusView } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import type { System } from './system';

/**
 * Fetch runs of an account as the api shows them, for the fetcher specs. `system` is a getter: the
 * specs start their system in beforeAll, after these helpers are made.
 */
export function accountRuns(system: () => System) {
  const status = async (accountId: string): Promise<SyncStatusView> => (await system().api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;

  /** Asks for a run now; @returns when it was asked, for runFinished and settled. */
  const syncNow = async (accountId: string): Promise<number> => {
    const requested = Date.now();
    expect((await system().api('POST', `/v1/accounts/${accountId}/sync`)).status).toBe(202);
    return requested;
  };

  /** Waits for a run that finished (well or not) after `since` and returns the status it left. */
  const runFinished = (accountId: string, since: number): Promise<SyncStatusView> =>
    expectEventually(
      async () => {
        const current = await status(accountId);
        const finished = Math.max(Date.parse(current.lastSuccessAt ?? '0'), current.error ? Date.parse(current.error.at) : 0);
        expect(finished, JSON.stringify(current)).toBeGreaterThanOrEqual(since);
        expect(current.state).not.toBe('syncing');
        return current;
      },
      { timeoutMs: 30_000 },
    );

  /** Waits until every run the account asked for is done: idle, not due again soon, nothing left in a backlog. */
  const settled = (accountId: string, since: number): Promise<SyncStatusView> =>
    expectEventually(
      async () => {
        const current = await status(accountId);
        expect(Date.parse(current.lastSuccessAt ?? '0'), JSON.stringify(current)).toBeGreaterThanOrEqual(since);
        expect(current.state).toBe('idle');
        expect(Date.parse(current.nextRunAt ?? '0') - Date.now()).toBeGreaterThan(60_000);
        return current;
      },
      { timeoutMs: 60_000 },
    );

  return { status, syncNow, runFinished, settled };
}
