import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { ImapFlow } from 'imapflow';
import { imapFlowOptions, type MailServerSettings } from '@mailbus/mail-clients';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots, RetryLaterError, type HostSlot } from '@mailbus/nats-transport';
import { SENDING_SETTINGS } from '../config/sending.tokens';
import type { SendingSettings } from '../config/smtp-sender.config';

/**
 * How long a session stays open after its last use. Long enough that a burst of mails from one account
 * (a mailing from the business application) files all its copies over one login, short enough that the
 * host's connection slot goes back to the fetcher and the other accounts soon after.
 */
const SESSION_IDLE_MS = 5_000;
/** A session's host slot lives this long without renewal; it is renewed every third of it while the session is open. */
const SLOT_LEASE_MS = 60_000;
/** When every slot of the host is taken, the event that wanted a session comes back after this. */
const HOST_BUSY_RETRY_MS = 5_000;

/** One account's open IMAP connection, the host slot it holds, and the work queued on it. */
class KeptSession {
  /** Work runs one piece at a time: imapflow's selected mailbox is per connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private idleTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  /** Pieces of work finished on this connection; a failure on a used one may be a connection the server dropped meanwhile. */
  uses = 0;
  /** What the work learnt on this connection (a folder's path), forgotten with it. */
  readonly memo = new Map<string, string>();

  constructor(
    readonly revision: number,
    private readonly client: ImapFlow,
    private readonly slot: HostSlot,
    private readonly onClosed: () => void,
  ) {
    client.on('close', () => void this.close());
  }

  get usable(): boolean {
    return !this.closing && this.client.usable;
  }

  run<T>(work: SessionWork<T>): Promise<T> {
    clearTimeout(this.idleTimer);
    this.waiting += 1;
    const done = this.queue.then(() => work(this.client, this.memo));
    this.queue = done.then(
      () => this.settled(),
      () => this.settled(),
    );
    return done;
  }

  /** Renews the slot; a lost slot closes the connection (the cap holds across replicas). */
  async keepSlot(): Promise<void> {
    if (this.closing) return;
    const kept = await this.slot.renew().catch(() => false);
    if (!kept) await this.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.idleTimer);
      this.onClosed();
      await this.client.logout().catch(() => this.client.close());
      await this.slot.release().catch(() => undefined);
    })();
    return this.closing;
  }

  private settled(): void {
    this.uses += 1;
    this.waiting -= 1;
    if (this.waiting === 0 && !this.closing) this.idleTimer = setTimeout(() => void this.close(), SESSION_IDLE_MS);
  }
}

/**
 * IMAP sessions kept open per account for the Sent-folder copies of smtp-sender: a burst of mails from
 * one account files its copies one after another over one login, instead of a connection, TLS
 * handshake and login per mail (about ten round trips each, and providers limit logins). Each session
 * holds one of its host's connection slots (HOST_CONNECTION_CAP, shared with the fetcher and
 * spam-feedback across replicas) while it is open, and gives it back SESSION_IDLE_MS after its last use.
 * A session is tied to the account's settings revision: changed settings open a new one.
 */
@Injectable()
export class KeptImapSessions implements OnApplicationShutdown {
  private readonly logger = new Logger(KeptImapSessions.name);
  private readonly holder = `smtp-sender:${hostname()}:${newId()}`;
  private readonly open = new Map<string, KeptSession>();
  /** Connections being opened: concurrent work of the account waits for this one instead of opening another. */
  private readonly opening = new Map<string, Promise<KeptSession>>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly slots: HostConnectionSlots,
    @Inject(SENDING_SETTINGS) private readonly settings: SendingSettings,
  ) {
    this.renewal = setInterval(() => void this.renewSlots(), SLOT_LEASE_MS / 3).unref();
  }

  /**
   * Runs `work` on the account's session, opening one when there is none. A failure on a session that
   * had been used before and whose connection is gone (the server closed it while it was kept) is tried
   * once more on a new connection.
   * @throws RetryLaterError when a new session is needed and every connection slot of the host is taken
   */
  async run<T>(account: SessionKey, work: SessionWork<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.sessionFor(account);
      const usedBefore = session.uses > 0;
      try {
        return await session.run(work);
      } catch (error) {
        if (session.usable) throw error;
        await session.close();
        if (!usedBefore || attempt > 1) throw error;
        this.logger.log({ msg: 'kept IMAP connection was gone; trying again on a new one', accountId: account.accountId, err: (error as Error).message });
      }
    }
  }

  /** Sessions open now (for tests and metrics). */
  get size(): number {
    return this.open.size;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.renewal);
    await Promise.allSettled([...this.opening.values()]);
    await Promise.all([...this.open.values()].map((session) => session.close()));
  }

  private async sessionFor(account: SessionKey): Promise<KeptSession> {
    for (;;) {
      const current = this.open.get(account.accountId);
      if (current?.usable && current.revision === account.revision) return current;
      const opening = this.opening.get(account.accountId);
      if (opening) {
        // Its failure (no slot, no connection) is this caller's too.
        await opening;
        continue;
      }
      if (!current) return this.start(account);
      this.open.delete(account.accountId);
      await current.close();
    }
  }

  private start({ accountId, revision, server }: SessionKey): Promise<KeptSession> {
    const opening = this.connect({ server }).then(({ client, slot }) => {
      const session: KeptSession = new KeptSession(revision, client, slot, () => {
        if (this.open.get(accountId) === session) this.open.delete(accountId);
      });
      this.open.set(accountId, session);
      return session;
    });
    this.opening.set(accountId, opening);
    void opening.then(
      () => this.opening.delete(accountId),
      () => this.opening.delete(accountId),
    );
    return opening;
  }

  private async connect({ server }: { server: MailServerSettings }): Promise<{ client: ImapFlow; slot: HostSlot }> {
    const slot = await this.slots.acquire({ host: server.host, cap: this.settings.hostConnectionCap, holder: this.holder, leaseMs: SLOT_LEASE_MS });
    if (!slot) throw new RetryLaterError(HOST_BUSY_RETRY_MS, `every connection slot of ${server.host} is taken`);
    const client = new ImapFlow(imapFlowOptions(server, { timeoutMs: this.settings.mailTimeoutMs }));
    // A dropped connection also rejects the command in flight, which is what reports it.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { client, slot };
    } catch (error) {
      client.close();
      await slot.release().catch(() => undefined);
      throw error;
    }
  }

  private async renewSlots(): Promise<void> {
    await Promise.all([...this.open.values()].map((session) => session.keepSlot()));
  }
}

/** Work on a session's connection; `memo` keeps what it learnt (a folder's path) for the next work on the same connection. */
export type SessionWork<T> = (client: ImapFlow, memo: Map<string, string>) => Promise<T>;

interface SessionKey {
  accountId: string;
  /** The account's settings revision: a session opened with other settings is not reused. */
  revision: number;
  server: MailServerSettings;
}
