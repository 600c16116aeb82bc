import type { FailedPop3MessageView } from '@mailbus/contracts';
import type { FailedUid, Pop3Failure } from './sync-state.documents';

/**
 * How many withheld messages a folder's status lists. The status travels in one NATS reply (1 MiB),
 * and a server that withholds a whole folder would otherwise make the account's status unanswerable.
 */
export const MAX_LISTED_FAILURES = 50;
/** Across an account's folders (up to 200 of them): about 200 KB of the reply. */
export const MAX_LISTED_FAILURES_PER_ACCOUNT = 1000;

export type ListedFailures = { failedMessages: Array<{ uid: number; attempts: number; error: string; at: string }>; failedMessageCount: number };

/** The most recently tried first, at most `max`, with the total; nothing when none failed. */
export function listedFailures(failedUids: FailedUid[] | undefined, max = MAX_LISTED_FAILURES): ListedFailures | Record<string, never> {
  if (!failedUids?.length) return {};
  const newestFirst = [...failedUids].sort((a, b) => b.at.getTime() - a.at.getTime() || a.uid - b.uid).slice(0, max);
  return { failedMessages: newestFirst.map((failed) => ({ ...failed, at: failed.at.toISOString() })), failedMessageCount: failedUids.length };
}

/** How many to list per folder when `folders` of the account's folders have failures. */
export function failuresListedPerFolder(folders: number): number {
  return Math.max(1, Math.min(MAX_LISTED_FAILURES, Math.floor(MAX_LISTED_FAILURES_PER_ACCOUNT / Math.max(1, folders))));
}

/** POP3's failed messages as the account's status lists them: the most recently tried first, at most `max`, with the total; nothing when none failed. */
export function listedPop3Failures(failures: Pop3Failure[] | undefined, max = MAX_LISTED_FAILURES): { failedMessages: FailedPop3MessageView[]; failedMessageCount: number } | Record<string, never> {
  if (!failures?.length) return {};
  const newestFirst = [...failures].sort((a, b) => b.at.getTime() - a.at.getTime() || a.uidl.localeCompare(b.uidl)).slice(0, max);
  return {
    failedMessages: newestFirst.map(({ uidl, attempts, error, at, givenUp }) => ({ uidl, attempts, error, at: at.toISOString(), givenUp: givenUp === true })),
    failedMessageCount: failures.length,
  };
}
