import { ImapFlow } from 'imapflow';
import type { MailServerSettings } from '../mail-server-settings';
import { imapFlowOptions } from './imap-options.util';

/**
 * How long a session stays open after its last use, by default. Long enough that a burst of work for
 * one account (a mailing's Sent-folder copies, a user marking fifty messages as spam) goes over one
 * login, short enough that the host's connection slot goes back to the fetcher and the other accounts soon after.
 */
const DEFAULT_IDLE_MS = 5_000;
/** A session's host slot lives this long without renewal; it is renewed every third of it while the session is open. */
const SLOT_LEASE_MS = 60_000;

/** A connection slot of a mail server host (HostConnectionSlots' lease): renewed while the connection lives, released when it closes. */
export interface ConnectionSlot {
  /** false when the slot was lost (it ran out and another holder took it). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface KeptImapSessionsOptions {
  /** A free connection slot of the host for `leaseMs`, or undefined when every one is taken. */
  acquireSlot: (input: { host: string; leaseMs: number }) => Promise<ConnectionSlot | undefined>;
  /** What run() throws when a session is needed and no slot is free (a RetryLaterError, say). */
  noSlot: (host: string) => Error;
  /** Bounds every IMAP command. */
  timeoutMs: number;
  idleMs?: number;
  /** Told when a kept connection turned out to be gone and the work is tried on a new one. */
  onReconnect?: (input: { accountId: string; error: Error }) => void;
}

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
    private readonly slot: ConnectionSlot,
    private readonly idleMs: number,
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

  /** Closes once the work queued on it is done (the account's settings changed; new work goes to a new session). */
  retire(): void {
    void this.queue.then(() => this.close());
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
    if (this.waiting === 0 && !this.closing) this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
  }
}

/**
 * IMAP sessions kept open per account: a burst of work for one account runs piece after piece over one
 * login, instead of a connection, TLS handshake and login each (about ten round trips, and providers
 * limit logins). Each session holds one of its host's connection slots while it is open (the cap holds
 * whoever connects) and gives it back `idleMs` after its last use. A session is tied to the account's
 * settings revision: changed settings open a new one. close() ends them all (at shutdown).
 * @example
 * const sessions = new KeptImapSessions({ acquireSlot, noSlot: (host) => new RetryLaterError(5_000, `${host} is busy`), timeoutMs });
 * await sessions.run({ accountId, revision, server }, (client) => client.append('Sent', raw, ['\\Seen']));
 */
export class KeptImapSessions {
  private readonly open = new Map<string, KeptSession>();
  /** Connections being opened: concurrent work of the account waits for this one instead of opening another. */
  private readonly opening = new Map<string, Promise<KeptSession>>();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly options: KeptImapSessionsOptions) {
    this.renewal = setInterval(() => void this.renewSlots(), SLOT_LEASE_MS / 3).unref();
  }

  /**
   * Runs `work` on the account's session, opening one when there is none. A failure on a session that
   * had been used before and whose connection is gone (the server closed it while it was kept) is tried
   * once more on a new connection.
   * @throws the `noSlot` error when a new session is needed and every connection slot of the host is taken
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
        this.options.onReconnect?.({ accountId: account.accountId, error: error as Error });
      }
    }
  }

  /** Sessions open now (for tests and metrics). */
  get size(): number {
    return this.open.size;
  }

  /** Logs out of every session and releases their slots. */
  async close(): Promise<void> {
    clearInterval(this.renewal);
    await Promise.allSettled([...this.opening.values()]);
    await Promise.all([...this.open.values()].map((session) => session.close()));
  }

  private async sessionFor(account: SessionKey): Promise<KeptSession> {
    for (;;) {
      const current = this.open.get(account.accountId);
      // A caller that read the account before its last change may use the newer session.
      if (current?.usable && current.revision >= account.revision) return current;
      const opening = this.opening.get(account.accountId);
      if (opening) {
        // Its failure (no slot, no connection) is this caller's too.
        await opening;
        continue;
      }
      if (!current) return this.start(account);
      this.open.delete(account.accountId);
      current.retire();
    }
  }

  private start({ accountId, revision, server }: SessionKey): Promise<KeptSession> {
    const opening = this.connect({ server }).then(({ client, slot }) => {
      const session: KeptSession = new KeptSession(revision, client, slot, this.options.idleMs ?? DEFAULT_IDLE_MS, () => {
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

  private async connect({ server }: { server: MailServerSettings }): Promise<{ client: ImapFlow; slot: ConnectionSlot }> {
    const slot = await this.options.acquireSlot({ host: server.host, leaseMs: SLOT_LEASE_MS });
    if (!slot) throw this.options.noSlot(server.host);
    const client = new ImapFlow(imapFlowOptions(server, { timeoutMs: this.options.timeoutMs }));
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

export interface SessionKey {
  accountId: string;
  /** The account's settings revision: a session opened with other settings is not reused. */
  revision: number;
  server: MailServerSettings;
}
