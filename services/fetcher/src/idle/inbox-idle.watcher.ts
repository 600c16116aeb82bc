import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Db } from 'mongodb';
import type { SecretBox } from '@mailbus/crypto';
import { DirectoryCollections, accountServerSettings, type AccountDocument } from '@mailbus/directory';
import { MONGO_DB, accountId as toAccountId } from '@mailbus/mongo-dal';
import { HostConnectionSlots, LeaseBuckets, type HostSlot, type KvLease, type KvLeases } from '@mailbus/nats-transport';
import { MAX_FETCH_LEASE_MS, type FetchSettings } from '../config/fetcher.config';
import { FETCHER_SECRET_BOX, FETCH_SETTINGS } from '../runs/account-run.service';
import { isWithinActiveHours } from '../runs/active-hours.util';
import { FetchScheduler } from '../scheduling/fetch-scheduler';
import type { AccountSyncStateDocument } from '../sync-status/sync-state.documents';
import { AccountSyncStateRepository } from '../sync-status/sync-state.repositories';
import { IdleMetrics } from './idle.metrics';
import { InboxIdleConnection } from './inbox-idle.connection';

/** Accounts looked at per page when filling the IDLE budget. */
const PAGE = 500;
/** Pages looked at per round at most, so that a fleet of 100,000 accounts costs a bounded query. */
const MAX_PAGES = 4;
/** Which replica watches which account; apart from the run leases, so that a watched account still gets its runs. */
const BUCKET = 'fetch-idle-leases';

interface Watch {
  connection: InboxIdleConnection;
  revision: number;
  lease: KvLease;
  slot: HostSlot;
}


/**
 * Keeps up to FETCH_IDLE_CONNECTIONS IMAP INBOXes per replica in IDLE, so that new mail starts a run
 * at once (SPEC §3.3). Each account is watched by one replica (a lease in the NATS KV bucket `fetch-idle-leases`) and
 * each watch takes a per-host connection slot, but never the last one: polling runs always keep a
 * connection to every host. Accounts with a priority go first; accounts in auth error or disabled
 * are not watched (their logins would only add failures), nor accounts outside their active hours.
 */
@Injectable()
export class InboxIdleWatcher implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxIdleWatcher.name);
  private leases!: KvLeases;
  private readonly watches = new Map<string, Watch>();
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    @Inject(FETCHER_SECRET_BOX) private readonly box: SecretBox,
    @Inject(FETCH_SETTINGS) private readonly settings: FetchSettings,
    private readonly states: AccountSyncStateRepository,
    private readonly scheduler: FetchScheduler,
    private readonly slots: HostConnectionSlots,
    private readonly metrics: IdleMetrics,
    private readonly buckets: LeaseBuckets,
  ) {}

  async onModuleInit(): Promise<void> {
    this.leases = await this.buckets.open({ bucket: BUCKET, maxLeaseMs: MAX_FETCH_LEASE_MS });
  }

  onApplicationBootstrap(): void {
    if (this.settings.idleConnections === 0) return;
    // Three rounds per lease period: leases and slots are renewed well before they run out.
    this.timer = setInterval(() => this.reconcileSoon(), Math.max(this.settings.leaseMs / 3, 1_000));
    this.reconcileSoon();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.reconciling;
    await Promise.all([...this.watches.keys()].map((accountId) => this.unwatch(accountId)));
  }

  private reconcileSoon(): void {
    if (this.reconciling || this.stopped) return;
    this.reconciling = this.reconcile()
      .catch((error: Error) => this.logger.warn({ msg: 'IDLE round failed; the next one retries', err: error.message }))
      .finally(() => (this.reconciling = undefined));
  }

  private async reconcile(): Promise<void> {
    await this.keepOrDrop();
    // Accounts with a priority first, then the rest.
    for (const filter of [{ priority: true }, {}]) await this.fill(filter);
  }

  private async fill(filter: Record<string, unknown>): Promise<void> {
    let page = 0;
    let after: string | undefined;
    while (this.watches.size < this.settings.idleConnections && page < MAX_PAGES && !this.stopped) {
      const candidates = await this.accounts({ ...filter, ...(after ? { _id: { $gt: after } } : {}) }, PAGE);
      if (candidates.length === 0) break;
      after = candidates.at(-1)!._id;
      page += 1;
      const states = await this.statesOf(candidates.map(({ _id }) => _id));
      for (const account of candidates) {
        if (this.watches.size >= this.settings.idleConnections || this.stopped) break;
        if (this.watches.has(account._id) || !watchable(account, states.get(account._id))) continue;
        await this.watch(account);
      }
    }
  }

  /** Renews what is still wanted; stops watches whose account changed, went away or failed to log in, or whose lease or slot was lost. */
  private async keepOrDrop(): Promise<void> {
    if (this.watches.size === 0) return;
    const ids = [...this.watches.keys()];
    const current = new Map((await this.accounts({ _id: { $in: ids } }, ids.length)).map((account) => [account._id, account]));
    const states = await this.statesOf(ids);
    for (const [accountId, watch] of this.watches) {
      const account = current.get(accountId);
      // A lease or slot lost (this replica stalled past it) ends the watch: another replica may watch now, or hold the connection.
      const kept = account && watchable(account, states.get(accountId)) && account.revision === watch.revision && (await watch.lease.renew()) && (await watch.slot.renew());
      if (!kept) await this.unwatch(accountId);
    }
  }

  private async watch(account: AccountDocument): Promise<void> {
    const owner = this.scheduler.owner;
    const receive = account.receive!;
    const accountId = toAccountId(account._id);
    // The password is opened before a lease and a slot are taken: one sealed with a key this replica
    // lacks throws here, and must not hold the host's slot until it runs out, every round.
    const server = this.serverSettings(account);
    if (!server) return;
    const lease = await this.leases.tryAcquire({ id: account._id, holder: owner, leaseMs: this.settings.leaseMs });
    if (!lease) return;
    let slot: HostSlot | undefined;
    try {
      // One slot fewer than runs may take: IDLE never blocks polling of the same host.
      slot = this.settings.hostConnectionCap > 1 ? await this.slots.acquire({ host: receive.host, cap: this.settings.hostConnectionCap - 1, holder: `${owner}:idle:${account._id}`, leaseMs: this.settings.leaseMs }) : undefined;
      if (!slot) {
        await lease.release();
        return;
      }
      const connection = new InboxIdleConnection(
        { accountId, timeoutMs: this.settings.mailTimeoutMs, server },
        {
          newMail: () => void this.newMail(accountId),
          open: (isOpen) => void this.opened({ accountId, isOpen }),
        },
      );
      this.watches.set(account._id, { connection, revision: account.revision, lease, slot });
      connection.start();
    } catch (error) {
      await slot?.release().catch(() => undefined);
      await lease.release().catch(() => undefined);
      throw error;
    }
  }

  private serverSettings(account: AccountDocument): ReturnType<typeof accountServerSettings> | undefined {
    try {
      return accountServerSettings({ box: this.box, account, side: 'receive' });
    } catch (error) {
      this.logger.warn({ msg: 'account not watched: its password cannot be opened', accountId: account._id, err: (error as Error).message });
      return undefined;
    }
  }

  private async unwatch(accountId: string): Promise<void> {
    const watch = this.watches.get(accountId);
    if (!watch) return;
    this.watches.delete(accountId);
    await watch.connection.stop();
    await watch.slot.release().catch(() => undefined);
    await watch.lease.release().catch(() => undefined);
  }

  /** Counted, and shown in the account's status so that an operator sees which INBOXes are watched. */
  private async opened({ accountId, isOpen }: { accountId: ReturnType<typeof toAccountId>; isOpen: boolean }): Promise<void> {
    this.metrics.connections.inc(isOpen ? 1 : -1);
    await this.states.updateOne({ filter: { accountId }, update: isOpen ? { $set: { idleSince: new Date() } } : { $unset: { idleSince: '' } } }).catch((error: Error) => this.logger.debug({ msg: 'IDLE state not recorded', accountId, err: error.message }));
  }

  private async newMail(accountId: ReturnType<typeof toAccountId>): Promise<void> {
    this.metrics.wakeups.inc();
    try {
      await this.states.schedule({ accountId, at: new Date() });
      this.scheduler.tickSoon();
    } catch (error) {
      this.logger.warn({ msg: 'new mail seen through IDLE could not be scheduled; the regular run fetches it', accountId, err: (error as Error).message });
    }
  }

  private accounts(filter: Record<string, unknown>, limit: number): Promise<AccountDocument[]> {
    return this.db
      .collection<AccountDocument>(DirectoryCollections.accounts)
      .find({ 'receive.protocol': 'imap', 'receive.enabled': true, serviceEnabled: true, deletedAt: { $exists: false }, ...filter })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  private async statesOf(ids: string[]): Promise<Map<string, AccountSyncStateDocument>> {
    const found = await this.db.collection<AccountSyncStateDocument>('account_sync_states').find({ _id: { $in: ids } }).toArray();
    return new Map(found.map((state) => [state._id, state]));
  }
}

function watchable(account: AccountDocument, state: AccountSyncStateDocument | undefined): boolean {
  const receive = account.receive;
  if (!receive || receive.protocol !== 'imap' || !receive.enabled || !account.serviceEnabled || account.deletedAt) return false;
  if (!receive.folders.some((folder) => folder.toUpperCase() === 'INBOX')) return false;
  // Outside its active hours an account is not fetched, so it is not watched either.
  if (receive.activeHours && !isWithinActiveHours({ at: new Date(), activeHours: receive.activeHours })) return false;
  // Not before the first run has shown that the settings work, not while logins are refused.
  if (!state?.lastSuccessAt || state.state === 'disabled' || (state.state === 'error' && state.error?.class === 'auth')) return false;
  return true;
}
