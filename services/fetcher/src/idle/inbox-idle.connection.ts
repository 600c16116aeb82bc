import { Logger } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { imapFlowOptions, type MailServerSettings } from '@mailbus/mail-clients';
import { nextReconnect } from './idle-backoff.util';

/** IDLE is broken off and started again this often: some servers and NAT boxes drop a silent connection (RFC 2177: 29 min at most). */
const IDLE_RESTART_MS = 4 * 60_000;
/** imapflow waits this long after the last command before it IDLEs (its default, 15 s, would delay new mail). */
const AUTO_IDLE_DELAY_MS = 1_000;
/** Longer than one IDLE round, so that a silent but healthy connection is not taken for a dead one. */
const IDLE_SOCKET_TIMEOUT_MS = IDLE_RESTART_MS + 60_000;

export interface IdleHooks {
  /** INBOX got more messages than it had. */
  newMail(): void;
  /** The connection is open (IDLE on INBOX) or not. */
  open(isOpen: boolean): void;
}

/**
 * One account's INBOX kept open in IDLE on a connection of its own, read-only, so that new mail is
 * noticed within a second instead of at the next poll. It only reports; the scheduler's run, under
 * the account's lease, does the fetching (one writer per mailbox). Dropped connections come back
 * with a backoff that only a long-lived connection resets.
 */
export class InboxIdleConnection {
  private readonly logger = new Logger(InboxIdleConnection.name);
  private client?: ImapFlow;
  private isOpen = false;
  private failures = 0;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly target: { accountId: string; server: MailServerSettings; timeoutMs: number },
    private readonly hooks: IdleHooks,
  ) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.setOpen(false);
    if (client) await client.logout().catch(() => client.close());
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { server, timeoutMs, accountId } = this.target;
    const client = new ImapFlow({ ...imapFlowOptions(server, { timeoutMs }), disableAutoIdle: false, autoIdleDelay: AUTO_IDLE_DELAY_MS, maxIdleTime: IDLE_RESTART_MS, socketTimeout: IDLE_SOCKET_TIMEOUT_MS });
    this.client = client;
    const connectedAt = Date.now();
    let closed = false;
    const onClosed = (): void => {
      if (closed) return;
      closed = true;
      this.closed({ client, connectedAt });
    };
    client.on('error', (error: Error) => this.logger.debug({ msg: 'IDLE connection error', accountId, err: error.message }));
    client.on('close', onClosed);
    client.on('exists', ({ path, count, prevCount }: { path: string; count: number; prevCount: number }) => {
      if (path === 'INBOX' && count > prevCount) this.hooks.newMail();
    });
    try {
      await client.connect();
      // Read-only: IDLE must never change \Recent or \Seen for other clients.
      await client.mailboxOpen('INBOX', { readOnly: true });
      if (client === this.client) this.setOpen(true);
    } catch (error) {
      this.logger.warn({ msg: 'IDLE connection failed; retrying with backoff', accountId, err: (error as Error).message, failures: this.failures + 1 });
      client.close();
      onClosed();
    }
  }

  private closed({ client, connectedAt }: { client: ImapFlow; connectedAt: number }): void {
    if (client !== this.client) return;
    this.setOpen(false);
    if (this.stopped) return;
    const { failures, delayMs } = nextReconnect({ failures: this.failures, livedMs: Date.now() - connectedAt });
    this.failures = failures;
    this.retry = setTimeout(() => void this.connect(), delayMs);
    this.retry.unref();
  }

  private setOpen(isOpen: boolean): void {
    if (isOpen === this.isOpen) return;
    this.isOpen = isOpen;
    this.hooks.open(isOpen);
  }
}
