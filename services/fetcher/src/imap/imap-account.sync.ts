import { Injectable, Logger } from '@nestjs/common';
import { ImapFlow, type ListResponse } from 'imapflow';
import { FolderRole, MailProtocol, fetchKey } from '@mailbus/contracts';
import { imapFlowOptions } from '@mailbus/mail-clients';
import type { FetchedMessageDocument } from '../ingest/fetched-message.document';
import { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import { MessageIngestService } from '../ingest/message-ingest.service';
import type { RunInput, RunResult } from '../runs/fetch-account';
import { isMailbusFailure } from '../runs/mailbus-failure.util';
import { checkpointId } from '../sync-status/sync-state.documents';
import { FolderCheckpointRepository } from '../sync-status/sync-state.repositories';
import { folderRole } from './folder-role.util';
import { ImapFolderSync } from './imap-folder.sync';
import { deleteExpiredMessages, linkedFirstStored, syncedListPaths, type FirstStored, type SyncedFolder } from './imap-retention';
import { CopyCheckBudget } from './relinked-copy.check';
import { RelinkedMessageRepository } from './relinked-message.repository';

/** After a shutdown asked the run to stop, this long for the message in hand, then the connection is cut. */
const ABORT_GRACE_MS = 5_000;

/** One run of an IMAP account: one connection, the account's folders one after the other, then retention. */
@Injectable()
export class ImapAccountSync {
  private readonly logger = new Logger(ImapAccountSync.name);

  constructor(
    private readonly ingest: MessageIngestService,
    private readonly records: FetchedMessageRepository,
    private readonly checkpoints: FolderCheckpointRepository,
    private readonly relinks: RelinkedMessageRepository,
  ) {}

  async run({ account, budget, timeoutMs, signal, tally }: RunInput): Promise<RunResult> {
    const result: RunResult = { fetched: 0, more: false, folderErrors: [], messageErrors: [], retentionErrors: [] };
    if (signal.aborted) return { ...result, more: true };
    const client = new ImapFlow(imapFlowOptions(account.server, { timeoutMs }));
    client.on('error', (error: Error) => this.logger.warn({ msg: 'IMAP connection error', accountId: account.id, err: error.message }));
    const cut = (): void => void setTimeout(() => client.close(), ABORT_GRACE_MS).unref();
    signal.addEventListener('abort', cut, { once: true });
    try {
      await client.connect();
      const listed = await client.list();
      const specialUse = new Map(listed.map((folder) => [folder.path, folder.specialUse]));
      // LIST path → configured name: "inbox" is synced from INBOX, "Sent" from "INBOX.Sent" (imapflow normalises the same way).
      const synced = syncedListPaths({ folders: account.receive.folders, listed: listed.map(({ path }) => path), namespace: client.namespace });
      const listedPath = new Map([...synced].map(([listedAs, folder]) => [folder, listedAs]));
      const dedupeAcrossFolders = isGmailLike({ client, listed, synced: [...synced.keys()] });
      let remaining = budget;
      for (const path of account.receive.folders) {
        if (remaining <= 0 || signal.aborted) {
          result.more = true;
          break;
        }
        try {
          const sync = new ImapFolderSync(
            { client, ingest: this.ingest, records: this.records, checkpoints: this.checkpoints, relinks: this.relinks },
            // Checkpoint and fetch keys stay under the configured name (what existing records are keyed by).
            { accountId: account.id, path, role: folderRole({ path, specialUse: specialUse.get(listedPath.get(path) ?? path) }), onlySinceDays: account.receive.onlySinceDays, dedupeAcrossFolders },
          );
          const folder = await sync.run({ budget: remaining, signal, tally });
          result.fetched += folder.fetched;
          result.more ||= folder.more;
          result.messageErrors.push(...folder.messageErrors.map(({ uid, message }) => ({ folder: path, key: `uid:${uid}`, message })));
          remaining -= folder.fetched + folder.relinked;
        } catch (error) {
          // The connection is gone, or the store or NATS failed: the whole run failed, not the folder.
          if (!client.usable || isMailbusFailure(error)) throw error;
          this.folderFailed({ result, accountId: account.id, folder: path, error });
        }
      }
      if (account.receive.deleteAfterDays > 0 && !signal.aborted) await this.applyRetention({ client, account, listed, synced, result });
    } finally {
      signal.removeEventListener('abort', cut);
      await client.logout().catch(() => client.close());
    }
    return result;
  }

  /**
   * Retention errors are kept apart from the folders' sync errors: a folder that cannot be housekept
   * (no UIDPLUS, a refused EXPUNGE) does not make a run that fetched everything a failed one.
   */
  private async applyRetention({ client, account, listed, synced, result }: { client: ImapFlow; account: RunInput['account']; listed: ListResponse[]; synced: Map<string, string>; result: RunResult }): Promise<void> {
    const { deleteAfterDays } = account.receive;
    const targets = listed.filter(({ path, specialUse }) => [FolderRole.INBOX, FolderRole.JUNK, FolderRole.SENT].includes(folderRole({ path, specialUse })));
    const checks = new CopyCheckBudget();
    for (const { path } of targets) {
      try {
        const folder = synced.get(path);
        const syncedFolder = folder === undefined ? undefined : await this.syncedFolder({ accountId: account.id, folder, checks });
        // A synced folder never synced yet: nothing of it is stored, so nothing of it may go.
        if (folder !== undefined && !syncedFolder) continue;
        const { deleted, lookAlikes, unchecked } = await deleteExpiredMessages({ client, path, deleteAfterDays, synced: syncedFolder });
        if (deleted > 0) this.logger.log({ msg: 'expired messages deleted on the server', accountId: account.id, folder: path, deleted, deleteAfterDays });
        if (unchecked > 0) this.logger.log({ msg: 'expired relinked messages not checked yet against their stored copy; left for a later run', accountId: account.id, folder: path, unchecked });
        if (lookAlikes.length > 0) {
          // Marked, so that this is logged once and later runs neither download them again nor delete them.
          await this.relinks.markBytesDiffer({ accountId: account.id, keys: lookAlikes.map(({ linkId }) => linkId) });
          this.logger.warn({ msg: 'relinked messages differ from the stored message they were matched to (same Message-ID and size); left on the server', accountId: account.id, folder: path, uids: lookAlikes.map(({ uid }) => uid) });
        }
      } catch (error) {
        if (!client.usable || isMailbusFailure(error)) throw error;
        (result.retentionErrors ??= []).push({ folder: path, message: (error as Error).message });
        this.logger.warn({ msg: 'retention failed in a folder; fetching is not affected', accountId: account.id, folder: path, err: (error as Error).message });
      }
    }
  }

  /** The checkpoint of a synced folder and its fetch records, looked up by fetch key (account + configured folder + UIDVALIDITY + UID). */
  private async syncedFolder({ accountId, folder, checks }: { accountId: RunInput['account']['id']; folder: string; checks: CopyCheckBudget }): Promise<SyncedFolder | undefined> {
    const checkpoint = await this.checkpoints.findOne({ accountId, _id: checkpointId({ accountId, path: folder }) });
    if (!checkpoint) return undefined;
    const firstSeen = async ({ uidValidity, uids }: { uidValidity: number; uids: number[] }): Promise<Map<number, FirstStored>> => {
      const uidOfKey = new Map(uids.map((uid) => [fetchKey({ accountId, protocol: MailProtocol.IMAP, folder, uidValidity, uid }), uid]));
      const seen = await this.firstStoredAt({ accountId, keys: [...uidOfKey.keys()] });
      return new Map([...seen].map(([key, stored]) => [uidOfKey.get(key)!, stored]));
    };
    return { checkpoint, firstSeen, checks };
  }

  /**
   * Since when the message under each fetch key counts as stored: its own record's fetchedAt, or, for
   * one the folder sync relinked instead of storing it again (UIDVALIDITY change, Gmail label), what
   * linkedFirstStored makes of the link and the record it was matched to. A key with neither is
   * absent. The links are read only for keys without a record of their own, so a folder without
   * relinks costs no second query.
   */
  private async firstStoredAt({ accountId, keys }: { accountId: RunInput['account']['id']; keys: string[] }): Promise<Map<string, FirstStored>> {
    const seen = new Map([...(await this.records.firstFetchedAt({ accountId, keys }))].map(([key, at]): [string, FirstStored] => [key, { at }]));
    const unrecorded = keys.filter((key) => !seen.has(key));
    if (unrecorded.length === 0) return seen;
    const links = await this.relinks.linksOf({ accountId, keys: unrecorded });
    if (links.size === 0) return seen;
    const records = await this.linkedRecords({ accountId, ids: [...new Set([...links.values()].map(({ recordId }) => recordId))] });
    for (const [key, link] of links) {
      const record = records.get(link.recordId);
      const stored = record ? linkedFirstStored({ link, record }) : undefined;
      if (stored) seen.set(key, stored);
    }
    return seen;
  }

  /** The records links point to, by fetch key; one query per 10,000 (see FetchedMessageRepository.firstFetchedAt). */
  private async linkedRecords({ accountId, ids }: { accountId: RunInput['account']['id']; ids: string[] }): Promise<Map<string, FetchedMessageDocument>> {
    const records = new Map<string, FetchedMessageDocument>();
    const CHUNK = 10_000;
    for (let start = 0; start < ids.length; start += CHUNK) {
      for (const record of await this.records.find({ filter: { accountId, _id: { $in: ids.slice(start, start + CHUNK) } } })) records.set(record._id, record);
    }
    return records;
  }

  private folderFailed({ result, accountId, folder, error }: { result: RunResult; accountId: string; folder: string; error: unknown }): void {
    result.folderErrors.push({ folder, message: (error as Error).message });
    this.logger.warn({ msg: 'folder failed; the other folders go on', accountId, folder, err: (error as Error).message });
  }
}

/**
 * Gmail shows one message in every label's folder and all of them in \All. When more than one
 * folder is synced there, a message is stored once per account (by X-GM-MSGID), not once per label.
 */
function isGmailLike({ client, listed, synced }: { client: ImapFlow; listed: ListResponse[]; synced: string[] }): boolean {
  if (synced.length < 2) return false;
  return client.capabilities.has('X-GM-EXT-1') || listed.some(({ path, specialUse }) => specialUse === '\\All' && synced.includes(path));
}
