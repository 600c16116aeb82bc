import { Logger } from '@nestjs/common';
import type { FetchMessageObject, FetchQueryObject, ImapFlow, MailboxObject } from 'imapflow';
import { MailProtocol, fetchKey, type FolderRole } from '@mailbus/contracts';
import type { AccountId } from '@mailbus/mongo-dal';
import type { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import type { IngestSource, MessageIngestService } from '../ingest/message-ingest.service';
import type { FolderCheckpointRepository } from '../sync-status/sync-state.repositories';
import { checkpointId, type FailedUid, type FolderCheckpointDocument } from '../sync-status/sync-state.documents';
import { settledLater } from '../runs/settled-later.util';
import type { StoredTally } from '../runs/fetch-account';
import { groupForFetch, isStreamedGroup, type MessageSize } from './fetch-groups.util';
import type { RelinkedBy, RelinkedMessageRepository } from './relinked-message.repository';
import { isFlapping, UIDVALIDITY_FLAPPING } from './uid-validity.util';

/** A message the server will not hand out is tried on this many runs, then stays listed in the status. */
export const MAX_MESSAGE_ATTEMPTS = 5;
const DAY_MS = 86_400_000;
/** A message fetched alone during which the server drops the connection this often is given up. */
const POISON_DROPS = 2;
/** Optional checkpoint fields that a re-base drops unless it sets them again. */
const REPLACEABLE_FIELDS = ['relinkUpToUid', 'backfillBelowUid', 'backfillSince', 'firstSyncHeadUid', 'failedUids', 'highestModseq', 'parked', 'connectionDroppedDuring', 'droppedSingle'] as const satisfies ReadonlyArray<keyof FolderCheckpointDocument>;

export interface FolderSyncResult {
  fetched: number;
  /** Messages not stored again because a record of them exists (UIDVALIDITY change, Gmail labels). */
  relinked: number;
  /** True when the budget ran out (or the run was stopped) before the folder was done. */
  more: boolean;
  messageErrors: Array<{ uid: number; message: string }>;
}

export interface FolderToSync {
  accountId: AccountId;
  path: string;
  role: FolderRole;
  /** The first sync takes only messages that arrived in the last N days. */
  onlySinceDays?: number;
  /** Gmail: one message shows up in every label's folder; store it once per account. */
  dedupeAcrossFolders: boolean;
}

/** A folder that must not be synced until an admin looks at it (rule 4). */
export class FolderParkedError extends Error {}

/** What became of one message: stored, found stored already (as `recordId`, matched `by`), gone from the server, or withheld by it. */
type Outcome = { kind: 'fetched' } | { kind: 'relinked'; recordId: string; by: RelinkedBy } | { kind: 'gone' } | { kind: 'failed'; failure: FailedUid };

/** Which cursor a message belongs to: new mail (up), the first sync's backlog (down), or a retry. */
type Cursor = 'forward' | 'backfill' | 'retry';

interface Candidate extends MessageSize {
  cursor: Cursor;
  internalDate?: Date;
  flags: string[];
  messageIdHeader?: string;
  emailId?: string;
  /** Known from the metadata alone (stored already, or not describable): its body is not fetched. */
  decided?: Extract<Outcome, { kind: 'relinked' | 'failed' }>;
}

/**
 * One IMAP folder, one run. EXAMINE (read-only, so \Seen is never set), check UIDVALIDITY against the
 * checkpoint, and fetch only what is new: UIDs above the last one, oldest first. On the first sync the
 * folder's backlog is fetched newest first (optionally only the last N days), so users see today's
 * mail before last year's. Every cursor moves after each stored and published message (rule 15).
 * Work is proportional to what is new (SPEC §3.3): SEARCH returns UIDs only, and sizes and
 * envelopes are fetched for the messages this run takes, not for the whole folder.
 */
export class ImapFolderSync {
  private readonly logger = new Logger(ImapFolderSync.name);
  private checkpoint!: FolderCheckpointDocument;
  /** Cursor moves not yet written (see advance). */
  private staged = { set: new Map<keyof FolderCheckpointDocument, unknown>(), unset: new Set<keyof FolderCheckpointDocument>() };
  private backfillEndsWithThisRun = false;
  private tally!: StoredTally;

  constructor(
    private readonly deps: { client: ImapFlow; ingest: MessageIngestService; records: FetchedMessageRepository; checkpoints: FolderCheckpointRepository; relinks: RelinkedMessageRepository },
    private readonly folder: FolderToSync,
  ) {}

  async run({ budget, signal, tally }: { budget: number; signal: AbortSignal; tally: StoredTally }): Promise<FolderSyncResult> {
    this.tally = tally;
    const { client } = this.deps;
    const lock = await client.getMailboxLock(this.folder.path, { readOnly: true });
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error(`${this.folder.path} could not be opened`);
      const uidValidity = validUidValidity(mailbox, this.folder.path);
      this.checkpoint = await this.prepare({ mailbox, uidValidity });
      const { candidates, more: budgetLeftSome } = await this.plan({ mailbox, budget });
      const result: FolderSyncResult = { fetched: 0, relinked: 0, more: budgetLeftSome, messageErrors: [] };
      const groups = groupForFetch(candidates, new Set(this.checkpoint.connectionDroppedDuring));
      let prefetched: Promise<Map<number, Buffer>> | undefined;
      // Two groups are stored at a time, so that the store writes one while this process compresses
      // and encodes the next (each would otherwise wait for the other); the cursors still move group
      // by group in fetch order (commitInOrder).
      let committing: Promise<void> | undefined;
      try {
        for (const [n, group] of groups.entries()) {
          if (signal.aborted) {
            result.more = true;
            break;
          }
          const bodies = prefetched ?? (isStreamedGroup(group) ? undefined : this.fetchBodies(group));
          // Pipelined: the next group's FETCH runs on the connection while this group is stored. Not
          // around a streamed message, whose store reads from the connection.
          const following = groups[n + 1];
          prefetched = bodies && following && !isStreamedGroup(following) ? settledLater(this.fetchBodies(following)) : undefined;
          const previous = committing;
          committing = settledLater(this.commitInOrder({ group, storing: this.storeGroup({ group, uidValidity, bodies }), after: previous, result }));
          await previous;
        }
        await committing;
      } finally {
        // A run that ends early waits for the store and the FETCH in flight: the mailbox lock must outlive them.
        await committing?.catch(() => undefined);
        await prefetched?.catch(() => undefined);
      }
      if (this.checkpoint.connectionDroppedDuring || this.checkpoint.droppedSingle) await this.save({}, ['connectionDroppedDuring', 'droppedSingle']);
      if (!result.more && this.backfillEndsWithThisRun) await this.save({}, ['backfillBelowUid']);
      if (!result.more && mailbox.highestModseq !== undefined) await this.save({ highestModseq: String(mailbox.highestModseq) });
      return result;
    } finally {
      lock.release();
    }
  }

  /**
   * Moves the cursors past what the group's store stored, in fetch order, once the group before it
   * has done the same. When that one failed, nothing moves: its unstored messages lie below these.
   */
  private async commitInOrder({ group, storing, after, result }: { group: Candidate[]; storing: Promise<{ outcomes: Outcome[]; error?: Error }>; after?: Promise<void>; result: FolderSyncResult }): Promise<void> {
    // Settled first: the store may still be reading from the connection.
    const stored = await storing.catch((error: Error) => ({ outcomes: [], error }));
    await after;
    const done = new Set<number>();
    try {
      const { outcomes, error } = stored;
      // In fetch order, so each cursor only ever moves past messages that are stored.
      for (const [index, outcome] of outcomes.entries()) {
        const message = group[index]!;
        if (outcome.kind === 'fetched') result.fetched += 1;
        else if (outcome.kind === 'relinked') result.relinked += 1;
        else if (outcome.kind === 'failed') result.messageErrors.push({ uid: message.uid, message: outcome.failure.error });
        this.advance(message, outcome.kind === 'failed' ? outcome.failure : undefined);
        done.add(message.uid);
      }
      if (error) throw error;
    } catch (error) {
      // What was stored in order before the failure keeps its progress; the rest is fetched again.
      await this.flush();
      if (!this.deps.client.usable) await this.connectionDropped(group.filter(({ uid }) => !done.has(uid)));
      throw error;
    } finally {
      await this.flush();
    }
  }

  /**
   * Stores one group. Small messages come with `bodies`, their pipelined FETCH, and are stored as a
   * batch (MessageIngestService.ingestMany); without `bodies` the group is one large message, streamed
   * from the connection into the store. @returns the outcomes of the group's leading messages up to the
   * first that failed to be stored, whose error comes with them: the cursors move past the outcomes only.
   */
  private async storeGroup({ group, uidValidity, bodies: fetching }: { group: Candidate[]; uidValidity: number; bodies?: Promise<Map<number, Buffer>> }): Promise<{ outcomes: Outcome[]; error?: Error }> {
    if (!fetching) {
      try {
        await this.rememberRelinks({ group, uidValidity });
        return { outcomes: [await this.storeStreamed({ message: group[0]!, uidValidity })] };
      } catch (error) {
        return { outcomes: [], error: error as Error };
      }
    }
    const bodies = await fetching;
    try {
      await this.rememberRelinks({ group, uidValidity });
    } catch (error) {
      return { outcomes: [], error: error as Error };
    }
    const outcomes: Array<Outcome | Error> = [];
    const toStore: Array<{ index: number; message: Candidate; bytes: Buffer }> = [];
    for (const [index, message] of group.entries()) {
      const bytes = bodies.get(message.uid);
      if (message.decided) outcomes[index] = message.decided;
      else if (!bytes) outcomes[index] = await this.failed(message);
      else toStore.push({ index, message, bytes });
    }
    const stored = await this.deps.ingest.ingestMany({ accountId: this.folder.accountId, messages: toStore.map(({ message, bytes }) => ({ source: this.ingestSource({ message, uidValidity }), bytes })), tally: this.tally });
    for (const [n, { index }] of toStore.entries()) outcomes[index] = stored[n] instanceof Error ? stored[n] : { kind: 'fetched' };
    const failedAt = outcomes.findIndex((outcome) => outcome instanceof Error);
    if (failedAt === -1) return { outcomes: outcomes as Outcome[] };
    return { outcomes: outcomes.slice(0, failedAt) as Outcome[], error: outcomes[failedAt] as Error };
  }

  /**
   * Which fetch record each relinked message of the group is, so that retention ages it from when it
   * was first stored (rule 14); written before the cursor may pass it, so a crash in between links it
   * again next run. One write per group that has relinks, none on the normal fetch path.
   */
  private async rememberRelinks({ group, uidValidity }: { group: Candidate[]; uidValidity: number }): Promise<void> {
    const { accountId, path } = this.folder;
    const linkedAt = new Date();
    const links = group.flatMap(({ uid, decided }) => {
      if (decided?.kind !== 'relinked') return [];
      const key = fetchKey({ accountId, protocol: MailProtocol.IMAP, folder: path, uidValidity, uid });
      // Its own record (a run repeated after a crash found it): retention finds that one by key already.
      return key === decided.recordId ? [] : [{ _id: key, accountId, folder: path, uidValidity, uid, recordId: decided.recordId, by: decided.by, linkedAt }];
    });
    if (links.length > 0) await this.deps.relinks.remember(links);
  }

  private async storeStreamed({ message, uidValidity }: { message: Candidate; uidValidity: number }): Promise<Outcome> {
    if (message.decided) return message.decided;
    const { client } = this.deps;
    const raw = await client.download(String(message.uid), undefined, { uid: true }).then(
      (download) => download.content,
      (error: Error) => {
        if (!client.usable) throw error;
        return undefined;
      },
    );
    if (!raw) return this.failed(message);
    await this.deps.ingest.ingest({ accountId: this.folder.accountId, raw, source: this.ingestSource({ message, uidValidity }), tally: this.tally });
    return { kind: 'fetched' };
  }

  private ingestSource({ message, uidValidity }: { message: Candidate; uidValidity: number }): IngestSource {
    return { protocol: 'imap', folder: this.folder.path, folderRole: this.folder.role, uidValidity, uid: message.uid, internalDate: message.internalDate, flags: message.flags, messageIdHeader: message.messageIdHeader, emailId: message.emailId };
  }

  /**
   * The server hung up while sending `pending`. Some servers do that on one broken message (Dovecot
   * on an unreadable file), every time: a poison message would then stop the account for good. So
   * the group is fetched one at a time next run, and a message during which the connection drops
   * twice on its own is given up (listed in the status) and passed. A network blip costs one run.
   */
  private async connectionDropped(pending: Array<{ uid: number }>): Promise<void> {
    if (pending.length > 1) return this.save({ connectionDroppedDuring: pending.map(({ uid }) => uid) });
    const [message] = pending;
    if (!message) return;
    const previous = this.checkpoint.droppedSingle;
    const count = (previous?.uid === message.uid ? previous.count : 0) + 1;
    if (count < POISON_DROPS) return this.save({ droppedSingle: { uid: message.uid, count } });
    const error = `the server dropped the connection each time it sent UID ${message.uid} (${count} times); given up, other messages go on`;
    this.logger.error({ msg: 'message given up: the server drops the connection on it', accountId: this.folder.accountId, folder: this.folder.path, uid: message.uid });
    // Listed, not passed: the cursor may not move past earlier messages of this run that are not stored
    // yet; planning leaves listed UIDs out, so the cursor passes it with the next stored message.
    const failedUids = (this.checkpoint.failedUids ?? []).filter(({ uid }) => uid !== message.uid).concat({ uid: message.uid, attempts: MAX_MESSAGE_ATTEMPTS, error, at: new Date() });
    await this.save({ failedUids }, ['droppedSingle']);
  }

  /** The checkpoint for this session: created on first sight, re-based after a UIDVALIDITY change. */
  private async prepare({ mailbox, uidValidity }: { mailbox: MailboxObject; uidValidity: number }): Promise<FolderCheckpointDocument> {
    const { accountId, path } = this.folder;
    const existing = await this.deps.checkpoints.findOne({ accountId, _id: checkpointId({ accountId, path }) });
    if (existing?.parked) throw new FolderParkedError(`${path} is parked since ${existing.parked.at.toISOString()}: ${existing.parked.reason}. Setting its checkpoint (PATCH /v1/accounts/:id/status) resumes it.`);
    const now = new Date();
    if (!existing) {
      // First sight: what is there now is the backlog, taken newest first; what arrives later comes in order.
      const head = await this.highestUid(mailbox);
      const since = this.folder.onlySinceDays ? new Date(now.getTime() - this.folder.onlySinceDays * DAY_MS) : undefined;
      return this.replace({ path, uidValidity, lastUid: head, ...(head > 0 ? { backfillBelowUid: head + 1 } : {}), ...(since ? { backfillSince: since, firstSyncHeadUid: head } : {}) });
    }
    // Set by an admin before the first sync: the folder's current UIDVALIDITY is meant.
    if (existing.uidValidity === undefined) return this.replace({ ...existing, uidValidity });
    if (existing.uidValidity === uidValidity) return existing;

    // A changed UIDVALIDITY (rule 3): start over at UID 0, but match what is stored already instead of
    // replaying the folder as new mail; unless it keeps changing (rule 4), then stop and ask for help.
    const changes = [...(existing.uidValidityChanges ?? []), now].filter((at) => now.getTime() - at.getTime() <= UIDVALIDITY_FLAPPING.windowMs).slice(-10);
    if (isFlapping(changes)) {
      const reason = `UIDVALIDITY changed ${changes.length} times within ${UIDVALIDITY_FLAPPING.windowMs / 3_600_000} hours (now ${uidValidity}, stored ${existing.uidValidity}); re-linking it again and again risks duplicates`;
      await this.deps.checkpoints.updateOne({ filter: { accountId, _id: existing._id }, update: { $set: { parked: { at: now, reason }, uidValidityChanges: changes, updatedAt: now } } });
      this.logger.error({ msg: 'folder parked: UIDVALIDITY keeps changing', accountId, path, changes: changes.length });
      throw new FolderParkedError(`${path} is parked: ${reason}`);
    }
    this.logger.warn({ msg: 'UIDVALIDITY changed; re-linking the folder without replaying it', accountId, path, from: existing.uidValidity, to: uidValidity });
    // backfillSince stays: messages the first sync left on the server on purpose must not come in as new now (searchForward).
    const { backfillBelowUid: _below, firstSyncHeadUid: _head, failedUids: _failed, highestModseq: _modseq, ...kept } = existing;
    return this.replace({ ...kept, uidValidity, lastUid: 0, relinkUpToUid: await this.highestUid(mailbox), uidValidityResets: (existing.uidValidityResets ?? 0) + 1, uidValidityChanges: changes });
  }

  /** What this run takes, within the budget: retries first (few), then new mail, then the backlog. */
  private async plan({ mailbox, budget }: { mailbox: MailboxObject; budget: number }): Promise<{ candidates: Candidate[]; more: boolean }> {
    const { lastUid, backfillBelowUid, backfillSince, failedUids = [] } = this.checkpoint;
    const retry = failedUids.filter(({ attempts }) => attempts < MAX_MESSAGE_ATTEMPTS).map(({ uid }) => uid);
    const listed = new Set(failedUids.map(({ uid }) => uid));
    const nothingAbove = mailbox.exists === 0 || (mailbox.uidNext !== undefined && mailbox.uidNext <= lastUid + 1);
    const forward = nothingAbove ? [] : (await this.searchForward(lastUid)).filter((uid) => !listed.has(uid)).sort((a, b) => a - b);
    let backfill: number[] = [];
    if (backfillBelowUid !== undefined) {
      backfill = backfillBelowUid > 1 ? (await this.searchUids({ uid: `1:${backfillBelowUid - 1}`, ...(backfillSince ? { since: backfillSince } : {}) })).filter((uid) => uid < backfillBelowUid && !listed.has(uid)).sort((a, b) => b - a) : [];
      if (backfill.length === 0) await this.save({}, ['backfillBelowUid']);
    }
    const taken = [...retry.map((uid) => ({ uid, cursor: 'retry' as const })), ...forward.map((uid) => ({ uid, cursor: 'forward' as const })), ...backfill.map((uid) => ({ uid, cursor: 'backfill' as const }))].slice(0, budget);
    const more = retry.length + forward.length + backfill.length > taken.length;
    this.backfillEndsWithThisRun = backfill.length > 0 && !more;
    return { candidates: await this.decideRelinks(await this.describe(taken)), more };
  }

  /**
   * Rule 3: a message stored under the old UIDVALIDITY (or, on Gmail, from another label) is matched
   * on its described Message-ID and size, before any body is fetched: a rebuilt folder is not downloaded again.
   */
  private async decideRelinks(candidates: Candidate[]): Promise<Candidate[]> {
    for (const candidate of candidates) {
      const match = candidate.decided ? undefined : await this.storedAlready(candidate);
      if (match) candidate.decided = { kind: 'relinked', ...match };
    }
    return candidates;
  }

  /**
   * UIDs above the cursor. While a rebuilt folder's old content is matched again (relinkUpToUid), what
   * the first sync left on the server on purpose (older than onlySinceDays) stays there: it is not new mail.
   */
  private async searchForward(lastUid: number): Promise<number[]> {
    const { relinkUpToUid, backfillSince } = this.checkpoint;
    const above = (uids: number[], floor: number): number[] => uids.filter((uid) => uid > floor);
    if (relinkUpToUid === undefined || !backfillSince || lastUid >= relinkUpToUid) return above(await this.searchUids({ uid: `${lastUid + 1}:*` }), lastUid);
    const old = (await this.searchUids({ uid: `${lastUid + 1}:${relinkUpToUid}`, since: backfillSince })).filter((uid) => uid > lastUid && uid <= relinkUpToUid);
    return [...old, ...above(await this.searchUids({ uid: `${relinkUpToUid + 1}:*` }), relinkUpToUid)];
  }

  /**
   * Size, date, flags and envelope of the messages taken. A UID gone meanwhile drops out (a retry is
   * forgotten). One still there that the server did not describe is never skipped silently (a later
   * UID would move the cursor past it): it fails like a message whose body is withheld (rule 12).
   */
  private async describe(taken: Array<{ uid: number; cursor: Cursor }>): Promise<Candidate[]> {
    if (taken.length === 0) return [];
    const found = new Map<number, FetchMessageObject>();
    const refusals = new Map<number, string>();
    // The envelope needs the message file: a broken one makes some servers hang up here already.
    const suspects = new Set(this.checkpoint.connectionDroppedDuring);
    const chunks = [taken.filter(({ uid }) => !suspects.has(uid)), ...taken.filter(({ uid }) => suspects.has(uid)).map((one) => [one])].filter((chunk) => chunk.length > 0);
    for (const chunk of chunks) await this.describeChunk({ uids: chunk.map(({ uid }) => uid), found, refusals });
    const missing = taken.filter(({ uid }) => !found.has(uid)).map(({ uid }) => uid);
    const present = new Set(missing.length > 0 ? await this.searchUids({ uid: missing.join(',') }) : []);
    const gone = taken.filter(({ uid, cursor }) => cursor === 'retry' && !found.has(uid) && !present.has(uid)).map(({ uid }) => uid);
    if (gone.length > 0) await this.save({ failedUids: (this.checkpoint.failedUids ?? []).filter(({ uid }) => !gone.includes(uid)) });
    return taken.flatMap(({ uid, cursor }): Candidate[] => {
      const message = found.get(uid);
      if (message) return [toCandidate({ message, cursor })];
      if (!present.has(uid)) return [];
      const refusal = refusals.get(uid);
      return [{ uid, cursor, size: 0, flags: [], decided: this.failure({ uid, problem: `the server returned no size or envelope for UID ${uid}${refusal ? ` (${refusal})` : ''}` }) }];
    });
  }

  /** One FETCH of the metadata; a NO for it may stand for one message the server cannot read, so then each is asked for alone. */
  private async describeChunk({ uids, found, refusals }: { uids: number[]; found: Map<number, FetchMessageObject>; refusals: Map<number, string> }): Promise<void> {
    const { client } = this.deps;
    try {
      for await (const message of client.fetch(uids, this.describeQuery(), { uid: true })) found.set(message.uid, message);
    } catch (error) {
      if (!client.usable) {
        await this.connectionDropped(uids.map((uid) => ({ uid })));
        throw error;
      }
      for (const uid of uids.filter((one) => !found.has(one))) await this.describeAlone({ uid, found, refusals });
    }
  }

  private async describeAlone({ uid, found, refusals }: { uid: number; found: Map<number, FetchMessageObject>; refusals: Map<number, string> }): Promise<void> {
    const { client } = this.deps;
    try {
      const message = await client.fetchOne(String(uid), this.describeQuery(), { uid: true });
      if (message) found.set(uid, message);
    } catch (error) {
      if (!client.usable) {
        await this.connectionDropped([{ uid }]);
        throw error;
      }
      refusals.set(uid, refusalText(error));
    }
  }

  // Only Gmail's X-GM-MSGID names one message across labels; an RFC 8474 EMAILID differs between two APPENDed copies.
  private describeQuery(): FetchQueryObject {
    return { uid: true, size: true, internalDate: true, flags: true, envelope: true, ...(this.folder.dedupeAcrossFolders && this.deps.client.capabilities.has('X-GM-EXT-1') ? { emailId: true } : {}) };
  }

  /**
   * The group's sources in one pipelined FETCH (BODY.PEEK[]); a message the server gave none of is
   * absent. Messages decided from their metadata (stored already, not describable) are not asked for.
   */
  private async fetchBodies(group: Candidate[]): Promise<Map<number, Buffer>> {
    const { client } = this.deps;
    const wanted = new Set(group.filter(({ decided }) => !decided).map(({ uid }) => uid));
    const bodies = new Map<number, Buffer>();
    if (wanted.size === 0) return bodies;
    try {
      for await (const fetched of client.fetch([...wanted], { uid: true, source: true }, { uid: true }) as AsyncIterable<FetchMessageObject>) {
        if (fetched.source && wanted.has(fetched.uid)) bodies.set(fetched.uid, fetched.source);
      }
    } catch (error) {
      // One unreadable message makes the server answer NO for the whole FETCH; find it by asking one by one.
      if (!client.usable) throw error;
      for (const uid of wanted) {
        const body = bodies.get(uid) ?? (await this.fetchAlone(uid));
        if (body) bodies.set(uid, body);
      }
    }
    return bodies;
  }

  private async fetchAlone(uid: number): Promise<Buffer | undefined> {
    try {
      const fetched = await this.deps.client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      return (fetched && fetched.source) || undefined;
    } catch (error) {
      if (!this.deps.client.usable) throw error;
      return undefined;
    }
  }

  /**
   * The fetch key of its record when it is stored under an earlier UIDVALIDITY, or (Gmail) under another
   * label's folder, and how it was matched: only the server's email id is exact, so retention checks the bytes of the others.
   */
  private async storedAlready(message: Candidate): Promise<{ recordId: string; by: RelinkedBy } | undefined> {
    const { accountId, path } = this.folder;
    const relinking = this.checkpoint.relinkUpToUid !== undefined && message.uid <= this.checkpoint.relinkUpToUid;
    const relinkable = relinking && message.messageIdHeader ? await this.deps.records.findRelinkable({ accountId, folder: path, messageIdHeader: message.messageIdHeader, size: message.size }) : null;
    if (relinkable) return { recordId: relinkable._id, by: message.emailId && relinkable.emailId === message.emailId ? 'emailId' : 'messageId-size' };
    if (!this.folder.dedupeAcrossFolders) return undefined;
    const same = await this.deps.records.findSameMessage({ accountId, emailId: message.emailId, messageIdHeader: message.messageIdHeader, size: message.size });
    return same ? { recordId: same._id, by: message.emailId ? 'emailId' : 'messageId-size' } : undefined;
  }

  /**
   * The server gave no body for a message. Gone meanwhile (expunged or moved by another client): not
   * ours to keep. Still there: remember it, move on (rule 12) and try again on later runs.
   */
  private async failed(message: Candidate): Promise<Outcome> {
    const stillThere = (await this.searchUids({ uid: String(message.uid) })).includes(message.uid);
    if (!stillThere) return { kind: 'gone' };
    return this.failure({ uid: message.uid, problem: `the server returned no content for UID ${message.uid}` });
  }

  /** A message still there that the server withholds: listed with its attempt, passed, tried again on later runs. */
  private failure({ uid, problem }: { uid: number; problem: string }): Extract<Outcome, { kind: 'failed' }> {
    const previous = (this.checkpoint.failedUids ?? []).find((listed) => listed.uid === uid);
    const attempts = (previous?.attempts ?? 0) + 1;
    const error = `${problem} (attempt ${attempts} of ${MAX_MESSAGE_ATTEMPTS})`;
    this.logger.warn({ msg: 'message skipped; the others go on', accountId: this.folder.accountId, folder: this.folder.path, uid, attempts });
    return { kind: 'failed', failure: { uid, attempts, error, at: new Date() } };
  }

  /**
   * Moves the message's cursor past it (a failure is listed with it) in memory; flush() writes what
   * moved, once per group and at every stop. A crash loses at most the progress since the last
   * flush, and the repeat finds those messages stored (record and event exist) and moves on.
   */
  private advance(message: Candidate, failure?: FailedUid): void {
    const failedUids = (this.checkpoint.failedUids ?? []).filter(({ uid }) => uid !== message.uid).concat(failure ? [failure] : []);
    const failuresChanged = failure !== undefined || failedUids.length !== (this.checkpoint.failedUids ?? []).length;
    const set: Partial<FolderCheckpointDocument> = failuresChanged ? { failedUids } : {};
    const unset: Array<keyof FolderCheckpointDocument> = [];
    if (message.cursor === 'forward') {
      set.lastUid = Math.max(this.checkpoint.lastUid, message.uid);
      if (this.checkpoint.relinkUpToUid !== undefined && message.uid >= this.checkpoint.relinkUpToUid) unset.push('relinkUpToUid');
    } else if (message.cursor === 'backfill') set.backfillBelowUid = message.uid;
    this.apply(set, unset);
    for (const [field, value] of Object.entries(set)) this.staged.set.set(field as keyof FolderCheckpointDocument, value);
    for (const field of unset) {
      this.staged.set.delete(field);
      this.staged.unset.add(field);
    }
  }

  private async flush(): Promise<void> {
    if (this.staged.set.size === 0 && this.staged.unset.size === 0) return;
    const set = Object.fromEntries(this.staged.set) as Partial<FolderCheckpointDocument>;
    const unset = [...this.staged.unset].filter((field) => !this.staged.set.has(field));
    this.staged = { set: new Map(), unset: new Set() };
    await this.save(set, unset);
  }

  private async save(set: Partial<FolderCheckpointDocument>, unset: Array<keyof FolderCheckpointDocument> = []): Promise<void> {
    const { accountId, path } = this.folder;
    const update = { ...set, updatedAt: new Date() };
    await this.deps.checkpoints.updateOne({ filter: { accountId, _id: checkpointId({ accountId, path }) }, update: { $set: update, ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((field) => [field, ''])) } : {}) } });
    this.apply(update, unset);
  }

  private apply(set: Partial<FolderCheckpointDocument>, unset: Array<keyof FolderCheckpointDocument>): void {
    const next: FolderCheckpointDocument = { ...this.checkpoint, ...set };
    for (const field of unset) delete next[field];
    this.checkpoint = next;
  }

  /** Writes the whole checkpoint (first sight, re-base): cursor fields it does not name are removed. */
  private async replace(fields: Omit<FolderCheckpointDocument, '_id' | 'accountId' | 'updatedAt'>): Promise<FolderCheckpointDocument> {
    const { accountId, path } = this.folder;
    const { _id: _ignored, accountId: _account, ...rest } = fields as FolderCheckpointDocument;
    const document: FolderCheckpointDocument = { ...rest, _id: checkpointId({ accountId, path }), accountId, path, updatedAt: new Date() };
    const absent = REPLACEABLE_FIELDS.filter((field) => document[field] === undefined);
    const { _id, accountId: _scope, ...set } = document;
    await this.deps.checkpoints.upsert({ filter: { accountId, _id }, update: { $set: set, ...(absent.length > 0 ? { $unset: Object.fromEntries(absent.map((field) => [field, ''])) } : {}) } });
    return document;
  }

  private async highestUid(mailbox: MailboxObject): Promise<number> {
    if (mailbox.exists === 0) return Math.max((mailbox.uidNext ?? 1) - 1, 0);
    if (mailbox.uidNext !== undefined && mailbox.uidNext > 0) return mailbox.uidNext - 1;
    return Math.max(0, ...(await this.searchUids({ all: true })));
  }

  private async searchUids(query: Record<string, unknown>): Promise<number[]> {
    const found = await this.deps.client.search(query, { uid: true });
    if (!found) throw new Error(`${this.folder.path}: the server refused UID SEARCH`);
    return found;
  }
}

/** Rule 5: never persist an UIDVALIDITY the server got wrong. */
function validUidValidity(mailbox: MailboxObject, path: string): number {
  const uidValidity = Number(mailbox.uidValidity);
  if (!Number.isInteger(uidValidity) || uidValidity <= 0 || uidValidity > 4_294_967_295) throw new Error(`${path}: the server reported an invalid UIDVALIDITY ${String(mailbox.uidValidity)}`);
  return uidValidity;
}

function toCandidate({ message, cursor }: { message: FetchMessageObject; cursor: Cursor }): Candidate {
  return {
    uid: message.uid,
    cursor,
    size: message.size ?? 0,
    ...(message.internalDate ? { internalDate: new Date(message.internalDate) } : {}),
    flags: [...(message.flags ?? [])],
    ...(message.envelope?.messageId ? { messageIdHeader: message.envelope.messageId.replace(/^<|>$/g, '') } : {}),
    ...(message.emailId ? { emailId: message.emailId } : {}),
  };
}

/** The server's answer to a refused FETCH, e.g. `NO [SERVERBUG] Internal error`, for the failed message's entry. */
function refusalText(error: unknown): string {
  const { responseStatus, serverResponseCode, responseText, message } = error as { responseStatus?: string; serverResponseCode?: string; responseText?: string; message?: string };
  const answer = [responseStatus, serverResponseCode ? `[${serverResponseCode}]` : undefined, responseText].filter(Boolean).join(' ');
  return (answer || message || 'refused').slice(0, 200);
}
