import type { AccountId } from '@mailbus/mongo-dal';
import type { FetchedMessageRepository } from '../ingest/fetched-message.repository';

export interface Pop3StoredRecord {
  fetchedAt: Date;
  /** What LIST said when it was fetched (records of versions before 2026-12-03 have none). */
  listSize?: number;
}

/** Keys per query, as FetchedMessageRepository.storedUidls: one $in of about 300 KB. */
const CHUNK = 10_000;

/** The keys out of `keys` that are stored already, with when they were first fetched and their LIST size then. */
export async function storedPop3Records({ records, accountId, keys }: { records: FetchedMessageRepository; accountId: AccountId; keys: readonly string[] }): Promise<Map<string, Pop3StoredRecord>> {
  const stored = new Map<string, Pop3StoredRecord>();
  for (let start = 0; start < keys.length; start += CHUNK) {
    const found = await records.find({ filter: { accountId, protocol: 'pop3', uidl: { $in: keys.slice(start, start + CHUNK) } } });
    for (const { uidl, fetchedAt, listSize } of found) if (uidl) stored.set(uidl, { fetchedAt, ...(listSize !== undefined ? { listSize } : {}) });
  }
  return stored;
}
