import type { Pop3KeyedMessage } from './pop3-content-key.util';

const DAY_MS = 86_400_000;

/**
 * The message numbers to mark with DELE at the end of a run. Invariant 1: only messages whose fetch
 * record exists (stored before this run, or by this run) are ever deleted.
 * - Without leaveOnServer, every stored message goes.
 * - With leaveOnServer and deleteAfterDays, a message goes once its record is that old (getmail's
 *   rule: counted from the first fetch, not from the Date header), and at once when every user
 *   deleted it in mailbus (`requested`).
 * - Content keys (no UIDL): a message with identical siblings goes only once all of them are
 *   stored. Otherwise, after deleting the first copy, the next session would give a copy never
 *   fetched the deleted one's key, find it "stored", and delete it unfetched.
 */
export function messagesToDelete({
  messages,
  stored,
  fetchedNow,
  leaveOnServer,
  deleteAfterDays,
  now,
  requested = new Set(),
}: {
  messages: readonly Pop3KeyedMessage[];
  /** Records that existed before this run, by key. */
  stored: ReadonlyMap<string, { fetchedAt: Date }>;
  /** Keys this run stored. */
  fetchedNow: ReadonlySet<string>;
  leaveOnServer: boolean;
  deleteAfterDays: number;
  now: number;
  /** Keys whose deletion users asked for (Pop3DeletionRequests). */
  requested?: ReadonlySet<string>;
}): number[] {
  const isStored = (key: string): boolean => stored.has(key) || fetchedNow.has(key);
  const expiry = deleteAfterDays > 0 ? now - deleteAfterDays * DAY_MS : undefined;
  const due = (key: string): boolean => {
    if (!leaveOnServer || requested.has(key)) return true;
    const fetchedAt = stored.get(key)?.fetchedAt;
    return expiry !== undefined && fetchedAt !== undefined && fetchedAt.getTime() <= expiry;
  };
  return messages.filter(({ key, siblings }) => isStored(key) && siblings.every(isStored) && due(key)).map(({ number }) => number);
}
