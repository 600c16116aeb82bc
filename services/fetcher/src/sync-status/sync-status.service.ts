import { Injectable } from '@nestjs/common';
import { setCheckpointsSchema, type SyncStatusView } from '@mailbus/contracts';
import { accountId as toAccountId, type AccountId } from '@mailbus/mongo-dal';
import { parseRpcInput } from '@mailbus/service-runtime';
import { failuresListedPerFolder, listedFailures, listedPop3Failures } from './listed-failures.util';
import { checkpointId } from './sync-state.documents';
import { AccountSyncStateRepository, FolderCheckpointRepository } from './sync-state.repositories';

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

/** The per-account sync state the fetcher keeps, as the api shows it, and the admin's checkpoint override. */
@Injectable()
export class SyncStatusService {
  constructor(
    private readonly states: AccountSyncStateRepository,
    private readonly checkpoints: FolderCheckpointRepository,
  ) {}

  /** An account the fetcher has not run yet is `idle` with no folders. */
  async get(accountId: AccountId): Promise<SyncStatusView> {
    const [state, folders] = await Promise.all([this.states.findOne({ accountId }), this.checkpoints.forAccount(accountId)]);
    const listedPerFolder = failuresListedPerFolder(folders.filter(({ failedUids }) => failedUids?.length).length);
    return JSON.parse(
      JSON.stringify({
        accountId,
        state: state?.state ?? 'idle',
        lastRunAt: iso(state?.lastRunAt),
        lastSuccessAt: iso(state?.lastSuccessAt),
        nextRunAt: iso(state?.nextRunAt),
        error: state?.error && { ...state.error, at: state.error.at.toISOString() },
        disabled: state?.disabled && { reason: state.disabled.reason, since: state.disabled.since.toISOString(), at: state.disabled.at.toISOString() },
        consecutiveFailures: state?.consecutiveFailures ?? 0,
        lastRun: state?.lastRun,
        fetchedTotal: state?.fetchedTotal ?? 0,
        idleSince: iso(state?.idleSince),
        folders: folders.map(({ path, uidValidity, lastUid, highestModseq, backfillBelowUid, failedUids, parked, updatedAt }) => ({
          path,
          uidValidity,
          lastUid,
          highestModseq,
          backfillBelowUid,
          ...listedFailures(failedUids, listedPerFolder),
          ...(parked ? { parked: { at: parked.at.toISOString(), reason: parked.reason } } : {}),
          updatedAt: iso(updatedAt),
        })),
        ...listedPop3Failures(state?.pop3Failures),
      }),
    ) as SyncStatusView;
  }

  /**
   * Moves checkpoints; a pinned UIDVALIDITY replaces the stored one, otherwise it stays. The admin's
   * word replaces what the fetcher was in the middle of: a parked folder resumes, a backlog or a
   * re-link in progress ends, and the UIDVALIDITY history starts afresh.
   */
  async setCheckpoints(input: unknown): Promise<SyncStatusView> {
    const { accountId: rawId, ...rest } = input as { accountId: string };
    const accountId = toAccountId(rawId);
    const { folders } = parseRpcInput(setCheckpointsSchema, rest);
    for (const { path, lastUid, uidValidity } of folders) {
      await this.checkpoints.upsert({
        filter: { accountId, _id: checkpointId({ accountId, path }) },
        update: {
          $set: { path, lastUid, updatedAt: new Date(), ...(uidValidity === undefined ? {} : { uidValidity }) },
          $unset: { parked: '', backfillBelowUid: '', relinkUpToUid: '', uidValidityChanges: '' },
        },
      });
    }
    return this.get(accountId);
  }
}
