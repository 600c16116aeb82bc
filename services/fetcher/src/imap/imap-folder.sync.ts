import { Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { FolderRole } from '@mailbus/contracts';
import type { AccountId } from '@mailbus/mongo-dal';
import type { MessageIngestService } from '../ingest/message-ingest.service';
import type { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import type { FolderCheckpointRepository } from '../sync-status/sync-state.repositories';
import { checkpointId, type FolderCheckpointDocument } from '../sync-status/sync-state.documents';

/** Sources up to this size come pipelined in one FETCH; larger ones are streamed one by one. */
const INLINE_SOURCE_MAX_BYTES = 1024 * 1024;
const INLINE_BATCH = 100;
/** A pipelined group is held in memory until stored; this bounds it. */
const INLINE_BATCH_MAX_BYTES = 8 * 1024 * 1024;

export interface FolderSyncResult {
  fetched: number;
  /** Messages skipped because they were already stored under an earlier UIDVALIDITY. */
  relinked: number;
  /** True when the budget ran out before the folder was done. */
  more: boolean;
}

interface NewMessage {
  uid: number;
  size: number;
  internalDate?: Date;
  flags: string[];
  messageIdHeader?: string;
}

/**
 * One IMAP folder, one run: EXAMINE (read-only, so \Seen is never set), compare UIDVALIDITY with the
 * checkpoint, fetch only UIDs above the last one, oldest first, and move the checkpoint after each
 * stored and published message. Work is proportional to what is new (SPEC §3.3).
 */
export class ImapFolderSync {
  private readonly logger = new Logger(ImapFolderSync.name);

  constructor(
    private readonly deps: { client: ImapFlow; ingest: MessageIngestService; records: FetchedMessageRepository; checkpoints: FolderCheckpointRepository },
    private readonly folder: { accountId: AccountId; path: string; role: FolderRole },
  ) {}

  async run({ budget }: { budget: number }): Promise<FolderSyncResult> {
    const { client } = this.deps;
    const { accountId, path } = this.folder;
    const lock = await client.getMailboxLock(path, { readOnly: true });
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error(`${path} could not be opened`);
      const uidValidity = Number(mailbox.uidValidity);
      if (!Number.isInteger(uidValidity) || uidValidity <= 0) throw new Error(`${path}: the server reported an invalid UIDVALIDITY ${String(mailbox.uidValidity)}`);
      const checkpoint = await this.deps.checkpoints.findOne({ accountId, _id: checkpointId({ accountId, path }) });
      // A changed UIDVALIDITY (rule 3): start over at UID 0, but skip what is stored already.
      const relinking = checkpoint?.uidValidity !== undefined && checkpoint.uidValidity !== uidValidity;
      const lastUid = relinking ? 0 : (checkpoint?.lastUid ?? 0);
      if (relinking) this.logger.warn({ msg: 'UIDVALIDITY changed; re-linking the folder without replaying it', accountId, path, from: checkpoint?.uidValidity, to: uidValidity });
      await this.saveCheckpoint({ uidValidity, lastUid, resets: (checkpoint?.uidValidityResets ?? 0) + (relinking ? 1 : 0) });
      if (mailbox.exists === 0 || (mailbox.uidNext !== undefined && mailbox.uidNext <= lastUid + 1)) return { fetched: 0, relinked: 0, more: false };

      const pending = await this.newMessages(lastUid);
      const batch = pending.slice(0, budget);
      let fetched = 0;
      let relinked = 0;
      for (const group of groupForFetch(batch)) {
        for await (const { message, raw } of this.sources(group)) {
          if (relinking && message.messageIdHeader && (await this.deps.records.findRelinkable({ accountId, folder: path, messageIdHeader: message.messageIdHeader, size: message.size }))) relinked += 1;
          else {
            await this.deps.ingest.ingest({ accountId, raw, source: { protocol: 'imap', folder: path, folderRole: this.folder.role, uidValidity, uid: message.uid, internalDate: message.internalDate, flags: message.flags, messageIdHeader: message.messageIdHeader } });
            fetched += 1;
          }
          await this.saveCheckpoint({ uidValidity, lastUid: message.uid });
        }
      }
      return { fetched, relinked, more: pending.length > batch.length };
    } finally {
      lock.release();
    }
  }

  /** UIDs above the checkpoint with what the record needs; `n:*` also returns the last message when none is newer. */
  private async newMessages(lastUid: number): Promise<NewMessage[]> {
    const found: NewMessage[] = [];
    for await (const message of this.deps.client.fetch(`${lastUid + 1}:*`, { uid: true, size: true, internalDate: true, flags: true, envelope: true }, { uid: true })) {
      if (message.uid <= lastUid) continue;
      found.push({
        uid: message.uid,
        size: message.size ?? 0,
        ...(message.internalDate ? { internalDate: new Date(message.internalDate) } : {}),
        flags: [...(message.flags ?? [])],
        ...(message.envelope?.messageId ? { messageIdHeader: message.envelope.messageId.replace(/^<|>$/g, '') } : {}),
      });
    }
    return found.sort((a, b) => a.uid - b.uid);
  }

  /** Small messages pipelined in one FETCH (BODY.PEEK[]), a large one streamed by itself. */
  private async *sources(group: NewMessage[]): AsyncGenerator<{ message: NewMessage; raw: Readable }> {
    const { client } = this.deps;
    if (group.length === 1 && group[0]!.size > INLINE_SOURCE_MAX_BYTES) {
      const { content } = await client.download(String(group[0]!.uid), undefined, { uid: true });
      if (!content) throw new Error(`UID ${group[0]!.uid} vanished before it could be fetched`);
      yield { message: group[0]!, raw: content };
      return;
    }
    const byUid = new Map(group.map((message) => [message.uid, message]));
    const bodies = new Map<number, Buffer>();
    for await (const fetched of client.fetch(group.map(({ uid }) => uid).join(','), { uid: true, source: true }, { uid: true }) as AsyncIterable<FetchMessageObject>) {
      if (fetched.source && byUid.has(fetched.uid)) bodies.set(fetched.uid, fetched.source);
    }
    // In UID order, so the checkpoint only ever moves past stored messages.
    for (const message of group) {
      const body = bodies.get(message.uid);
      if (!body) throw new Error(`UID ${message.uid} vanished before it could be fetched`);
      yield { message, raw: Readable.from([body]) };
    }
  }

  private async saveCheckpoint({ uidValidity, lastUid, resets }: { uidValidity: number; lastUid: number; resets?: number }): Promise<void> {
    const { accountId, path } = this.folder;
    const set: Partial<FolderCheckpointDocument> = { path, uidValidity, lastUid, updatedAt: new Date(), ...(resets === undefined ? {} : { uidValidityResets: resets }) };
    await this.deps.checkpoints.upsert({ filter: { accountId, _id: checkpointId({ accountId, path }) }, update: { $set: set } });
  }
}

/** Consecutive small messages in groups of at most INLINE_BATCH messages and INLINE_BATCH_MAX_BYTES; each large one alone. */
function groupForFetch(messages: NewMessage[]): NewMessage[][] {
  const groups: NewMessage[][] = [];
  let current: NewMessage[] = [];
  let bytes = 0;
  const close = (): void => {
    if (current.length > 0) groups.push(current);
    current = [];
    bytes = 0;
  };
  for (const message of messages) {
    if (message.size > INLINE_SOURCE_MAX_BYTES) {
      close();
      groups.push([message]);
      continue;
    }
    if (current.length === INLINE_BATCH || bytes + message.size > INLINE_BATCH_MAX_BYTES) close();
    current.push(message);
    bytes += message.size;
  }
  close();
  return groups;
}
