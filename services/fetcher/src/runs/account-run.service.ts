import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import { Events, MailProtocol, mailErrorClass, timestampFromDate } from '@mailbus/contracts';
import type { SecretBox } from '@mailbus/crypto';
import { accountServerSettings, findAccount, type AccountDocument } from '@mailbus/directory';
import { OwnerActivityReader } from '../scheduling/owner-activity.reader';
import { MailConnectionError } from '@mailbus/mail-clients';
import { classifyConnectionError } from '@mailbus/mail-protocol';
import { MONGO_DB, accountId as toAccountId, type AccountId } from '@mailbus/mongo-dal';
import { EventPublisher, HostConnectionSlots, type KvLease } from '@mailbus/nats-transport';
import type { FetchSettings } from '../config/fetcher.config';
import { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import { ImapAccountSync } from '../imap/imap-account.sync';
import { Pop3AccountSync } from '../pop3/pop3-account.sync';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { AccountSyncStateRepository, type FetchedCount } from '../sync-status/sync-state.repositories';
import { isWithinActiveHours, nextActiveTime } from './active-hours.util';
import type { FetchAccount, RunInput, RunNotes, RunResult, StoredTally } from './fetch-account';
import { FetcherMetrics } from './fetcher.metrics';
import { isMailbusFailure } from './mailbus-failure.util';
import { everyFolderFailed, keepWakeDuringRun, loginDelayed, stateAfterFailure, stateAfterInterruption, stateAfterStop, stateAfterSuccess } from './run-outcome.util';

export const FETCHER_SECRET_BOX = Symbol('FETCHER_SECRET_BOX');
export const FETCH_SETTINGS = Symbol('FETCH_SETTINGS');
/** A run that ended in an error, with what recording its outcome needs. */
interface FailedRun {
  accountId: AccountId;
  owner: string;
  state: AccountSyncStateDocument;
  document: AccountDocument;
  receive: NonNullable<AccountDocument['receive']>;
  error: unknown;
  tally: StoredTally;
  notes: RunNotes;
}

/** The error class of runs that mailbus's own store or NATS cut short, in mailbus_fetch_run_errors_total. */
const INTERNAL_ERROR_CLASS = 'internal';
/** A run that found its host's connections all taken tries again after 1–2 s. */
const HOST_BUSY_RETRY_MS = 1_000;

/**
 * Runs one leased account once and records the outcome in its sync state: idle with the next run, or
 * error with class, text and an exponential backoff, plus account.sync_failed; after AUTH failures
 * lasting FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS, disabled (run-outcome.util). Every next run time
 * lies inside the account's active hours. Whatever happens to one account stays with it.
 */
@Injectable()
export class AccountRunService {
  private readonly logger = new Logger(AccountRunService.name);
  /** Aborted when the service stops, so that no run waits on a hung server past the shutdown grace. */
  private readonly shutdown = new AbortController();
  /**
   * Accounts whose fetchedTotal this replica cannot add up: a run the store or NATS cut short (a record
   * write whose answer was lost may or may not have landed), or whose last state write failed. Their
   * next state write sets the total to the count of the account's fetch records instead of adding a tally.
   * (Another replica learns of an interruption from the state's interruptedRuns, when that write landed.)
   */
  private readonly recount = new Set<string>();

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    @Inject(FETCHER_SECRET_BOX) private readonly box: SecretBox,
    @Inject(FETCH_SETTINGS) private readonly settings: FetchSettings,
    private readonly states: AccountSyncStateRepository,
    private readonly imap: ImapAccountSync,
    private readonly pop3: Pop3AccountSync,
    private readonly events: EventPublisher,
    private readonly metrics: FetcherMetrics,
    private readonly slots: HostConnectionSlots,
    private readonly ownerActivity: OwnerActivityReader,
    private readonly records: FetchedMessageRepository,
  ) {}

  /** Shutdown: runs stop after the message in hand and close their connections. */
  abortAll(): void {
    this.shutdown.abort(new Error('the fetcher is shutting down'));
  }

  /** Runs an account under its lease, which the run renews; the caller releases the lease afterwards. */
  async run({ state, lease }: { state: AccountSyncStateDocument; lease: KvLease }): Promise<void> {
    const owner = lease.holder;
    const accountId = toAccountId(state._id);
    const document = await findAccount(this.db, accountId);
    const receive = document?.receive;
    if (!document || document.deletedAt || !document.serviceEnabled || !receive?.enabled) {
      await this.states.finishRun({ accountId, set: { state: 'disabled' }, unset: ['nextRunAt'] });
      return;
    }
    // Never a login before the server's LOGIN-DELAY is over, whatever made the account due.
    const delayed = loginDelayed({ now: new Date(), state, schedule: receive });
    if (delayed) {
      await this.states.finishRun({ accountId, set: delayed.set });
      return;
    }
    // Due outside the active hours (they were set or changed after it was scheduled, or a continuation
    // ran past closing): wait for the next opening. An admin's "sync now" (forceRun) goes ahead.
    if (receive.activeHours && !state.forceRun && !isWithinActiveHours({ at: new Date(), activeHours: receive.activeHours })) {
      await this.states.finishRun({ accountId, set: { nextRunAt: nextActiveTime({ at: new Date(), activeHours: receive.activeHours }), priority: document.priority } });
      return;
    }
    // One connection per run; when the host has none free, wait for a turn rather than count a failure.
    const slot = await this.slots.acquire({ host: receive.host, cap: this.settings.hostConnectionCap, holder: `${owner}:${accountId}`, leaseMs: this.settings.leaseMs });
    if (!slot) {
      this.metrics.hostCapWaits.inc();
      const retryAt = new Date(Date.now() + HOST_BUSY_RETRY_MS + Math.round(Math.random() * HOST_BUSY_RETRY_MS));
      await this.states.finishRun({ accountId, set: { nextRunAt: state.forceRun ? retryAt : nextActiveTime({ at: retryAt, activeHours: receive.activeHours }) } });
      return;
    }
    const startedAt = new Date();
    const timer = this.metrics.runDuration.startTimer({ protocol: receive.protocol });
    this.metrics.runsInProgress.inc();
    this.metrics.connectionOpened(receive.host);
    // The account's lease or the host slot lost (this replica stalled past it and another took it over)
    // ends the run at the next message: one writer per mailbox, and the host's cap holds. A renewal that
    // fails on NATS is tried again at the next turn.
    const leaseLost = new AbortController();
    const renew = async (): Promise<void> => {
      const [accountHeld, slotHeld] = await Promise.all([lease.renew(), slot.renew()]);
      if ((!accountHeld || !slotHeld) && !leaseLost.signal.aborted) {
        const lost = accountHeld ? 'host slot' : 'account lease';
        this.logger.warn({ msg: `${lost} lost; the run stops`, accountId, owner });
        leaseLost.abort(new Error(`the ${lost} of account ${accountId} was lost`));
      }
    };
    const renewal = setInterval(() => void renew().catch(() => undefined), Math.max(this.settings.leaseMs / 3, 1_000));
    // Counts into the account's fetchedTotal also what a run stored before it failed.
    const tally: StoredTally = { messages: 0 };
    const notes: RunNotes = {};
    const signal = AbortSignal.any([this.shutdown.signal, leaseLost.signal]);
    try {
      // Inside the try: a failed write must not keep the host slot until its lease runs out.
      await this.states.updateOne({ filter: { accountId }, update: { $set: { state: 'syncing', lastRunAt: startedAt } } });
      const result = await this.fetch({ accountId, document, receive, state, signal, tally, notes });
      if (signal.aborted) {
        await this.recordStop({ accountId, owner, state, receive, result, tally, notes, leaseLost: leaseLost.signal.aborted });
        timer({ outcome: 'stopped' });
        return;
      }
      // Every folder failed (all parked, none exists): nothing works, and the status must say so.
      if (everyFolderFailed({ result, folders: receive.folders })) {
        throw new MailConnectionError({ errorClass: 'protocol', message: `every folder failed: ${result.folderErrors.map(({ folder, message }) => `${folder}: ${message}`).join('; ')}` });
      }
      // Only here, after the whole run, do the failure streak and the auth clock end (rule 31).
      const success = stateAfterSuccess({ now: new Date(), result, notBefore: notes.notBefore, schedule: receive });
      const { set, unset } = keepWakeDuringRun({ update: success, started: state, current: await this.states.findOne({ accountId }), notBefore: notes.notBefore });
      const lastRun = { fetched: result.fetched, skippedMessages: result.messageErrors.length, failedFolders: result.folderErrors.length, more: result.more };
      await this.finish({ accountId, set: { ...set, priority: document.priority, ownersActive: await this.ownerActivity.anyOwnerActive(document.owners), lastRun }, unset, tally, notes, state });
      timer({ outcome: 'ok' });
      this.logger.log({
        msg: 'account run finished',
        accountId,
        owner,
        startedAt,
        fetched: result.fetched,
        more: result.more,
        folderErrors: result.folderErrors.length,
        retentionErrors: result.retentionErrors?.length ?? 0,
        ms: Date.now() - startedAt.getTime(),
      });
    } catch (error) {
      timer({ outcome: 'error' });
      // The stop cut the connection (ABORT_GRACE_MS): the mail server is not to blame.
      if (signal.aborted && !isMailbusFailure(error)) await this.recordStop({ accountId, owner, state, receive, result: { fetched: 0 }, tally, notes, leaseLost: leaseLost.signal.aborted });
      else if (isMailbusFailure(error)) await this.recordInterruption({ accountId, owner, state, document, receive, error, tally, notes });
      else await this.recordFailure({ accountId, owner, state, document, receive, error, tally, notes });
    } finally {
      this.metrics.runsInProgress.dec();
      this.metrics.connectionClosed(receive.host);
      clearInterval(renewal);
      await slot.release().catch(() => undefined);
    }
  }

  /**
   * The run's last state write, with the messages it stored added to the account's total (once: the tally
   * is emptied), or the total recounted when the run before was cut short (`interruptedRuns` in the state
   * it started from: on any replica) or this replica could not write its state. What the run noted
   * (LOGIN-DELAY, POP3 failures) goes in the same write.
   */
  private async finish({ accountId, set, unset, tally, notes, state }: { accountId: AccountId; set: Partial<AccountSyncStateDocument>; unset: Array<keyof AccountSyncStateDocument>; tally: StoredTally; notes: RunNotes; state: Pick<AccountSyncStateDocument, 'interruptedRuns'> }): Promise<void> {
    const added = tally.messages;
    tally.messages = 0;
    try {
      const recount = this.recount.has(accountId) || (state.interruptedRuns ?? 0) > 0;
      const fetched: FetchedCount = recount ? { total: await this.records.countForAccount(accountId) } : { add: added };
      const memory = notes.pop3Memory ?? { set: {}, unset: [] };
      await this.states.finishRun({ accountId, set: { ...set, ...memory.set }, unset: [...unset, ...memory.unset], fetched, loginNotBefore: notes.notBefore });
      this.recount.delete(accountId);
    } catch (error) {
      this.recount.add(accountId);
      throw error;
    }
  }

  private fetch({
    accountId,
    document,
    receive,
    state,
    signal,
    tally,
    notes,
  }: {
    accountId: AccountId;
    document: AccountDocument;
    receive: NonNullable<AccountDocument['receive']>;
    state: AccountSyncStateDocument;
    signal: AbortSignal;
    tally: StoredTally;
    notes: RunNotes;
  }): Promise<RunResult> {
    const account: FetchAccount = {
      id: accountId,
      document,
      receive,
      server: accountServerSettings({ box: this.box, account: document, side: 'receive' }),
    };
    const input: RunInput = { account, budget: this.settings.maxMessagesPerRun, timeoutMs: this.settings.mailTimeoutMs, signal, tally, state, notes };
    if (receive.protocol === 'pop3') return this.pop3.run(input);
    // An account moved from POP3 to IMAP keeps no POP3 failures in its status.
    if (state.pop3Failures || state.pop3FetchAlone) notes.pop3Memory = { set: {}, unset: ['pop3Failures', 'pop3FetchAlone'] };
    return this.imap.run(input);
  }

  /**
   * A run stopped by the shutdown or by a lost lease is no success: the failure streak, the auth clock
   * and a pending "sync now" stay (stateAfterStop). With the lease lost another replica may own the
   * account now, so only the messages stored are added to its total (an $inc, which cannot clobber
   * that replica's writes), and the LOGIN-DELAY of this run's login ($max: it only ever moves later).
   */
  private async recordStop({ accountId, owner, state, receive, result, tally, notes, leaseLost }: { accountId: AccountId; owner: string; state: AccountSyncStateDocument; receive: NonNullable<AccountDocument['receive']>; result: Pick<RunResult, 'fetched'>; tally: StoredTally; notes: RunNotes; leaseLost: boolean }): Promise<void> {
    // Logged as a finished run with work left (more), and why it stopped: not recorded as a success.
    this.logger.log({ msg: 'account run finished', accountId, owner, fetched: result.fetched, more: true, stopped: leaseLost ? 'lease lost' : 'shutdown' });
    if (!leaseLost) {
      const { set, unset } = stateAfterStop({ now: new Date(), state, notBefore: notes.notBefore, schedule: receive });
      await this.finish({ accountId, set, unset, tally, notes, state });
      return;
    }
    const added = tally.messages;
    tally.messages = 0;
    const update = { ...(added > 0 ? { $inc: { fetchedTotal: added } } : {}), ...(notes.notBefore ? { $max: { loginNotBefore: notes.notBefore } } : {}) };
    if (Object.keys(update).length > 0) await this.states.updateOne({ filter: { accountId }, update });
  }

  /**
   * The store or NATS cut the run short: the account is not to blame (stateAfterInterruption), and no
   * account.sync_failed goes out. When the store is the one down, the state stays `syncing` and due,
   * so the account runs as soon as the scheduler can read the store again.
   */
  private async recordInterruption({ accountId, owner, state, document, receive, error, tally, notes }: FailedRun): Promise<void> {
    const outcome = stateAfterInterruption({ now: new Date(), state, schedule: receive, notBefore: notes.notBefore });
    this.recount.add(accountId);
    this.metrics.runErrors.inc({ protocol: receive.protocol, class: INTERNAL_ERROR_CLASS });
    this.logger.warn({ msg: 'account run cut short by the store or NATS; it runs again soon', accountId, owner, err: (error as Error).message, nextRunAt: outcome.nextRunAt });
    await this.finish({ accountId, set: { ...outcome.set, priority: document.priority }, unset: outcome.unset, tally, notes, state }).catch((stateError: Error) => this.logger.warn({ msg: 'state of the cut-short run not written; the account stays due', accountId, err: stateError.message }));
  }

  private async recordFailure({ accountId, owner, state, document, receive, error, tally, notes }: FailedRun): Promise<void> {
    const { errorClass, message } = classifyConnectionError(error);
    const now = new Date();
    const outcome = stateAfterFailure({ now, state, schedule: receive, errorClass, message, disableAfterMs: this.settings.disableAfterAuthFailuresMs, accountRevision: document.revision, notBefore: notes.notBefore });
    const { failures, nextRunAt, disabled } = outcome;
    if (disabled)
      this.logger.warn({ msg: 'account disabled after auth failures; an update or a connection test enables it again', accountId, owner, failingSince: disabled.since, error: message, failures });
    else this.logger.warn({ msg: 'account run failed', accountId, owner, errorClass, error: message, failures, nextRunAt });
    this.metrics.runErrors.inc({ protocol: receive.protocol, class: errorClass });
    await this.finish({ accountId, set: { ...outcome.set, priority: document.priority }, unset: outcome.unset, tally, notes, state });
    await this.events
      .publish(
        Events.accountSyncFailed,
        {
          accountId,
          protocol: receive.protocol === 'imap' ? MailProtocol.IMAP : MailProtocol.POP3,
          errorClass: mailErrorClass(errorClass),
          message,
          consecutiveFailures: failures,
          ...(nextRunAt ? { nextAttemptAt: timestampFromDate(nextRunAt) } : {}),
          failedAt: timestampFromDate(now),
          ...(disabled ? { accountDisabled: true, failingSince: timestampFromDate(disabled.since) } : {}),
        },
        { msgId: `account.sync_failed:${accountId}:${now.getTime()}` },
      )
      .catch((publishError: Error) => this.logger.warn({ msg: 'account.sync_failed not published', accountId, err: publishError.message }));
  }
}
