import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import type { ImapFlow } from 'imapflow';
import type { SecretBox } from '@mailbus/crypto';
import { accountServerSettings, type AccountDocument } from '@mailbus/directory';
import { KeptImapSessions } from '@mailbus/mail-clients';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import type { WritebackSettings } from '../config/spam-feedback.config';
import { WRITEBACK_SECRET_BOX, WRITEBACK_SETTINGS } from '../config/writeback.tokens';

/**
 * The IMAP sessions of write-backs, each inside a per-host connection slot shared with the fetcher
 * (SPEC §3.6: no server host gets more connections than its cap, whoever opens them). The write-backs
 * of one account go over one session kept for a few seconds after the last (KeptImapSessions): a user
 * who marks fifty messages as spam costs one login, not fifty.
 */
@Injectable()
export class MailServerSessions implements OnApplicationShutdown {
  private readonly logger = new Logger(MailServerSessions.name);
  private readonly holder = `spam-feedback:${hostname()}:${newId()}`;
  private readonly kept: KeptImapSessions;

  constructor(
    slots: HostConnectionSlots,
    @Inject(WRITEBACK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(WRITEBACK_SETTINGS) settings: WritebackSettings,
  ) {
    this.kept = new KeptImapSessions({
      ...slots.forKeptSessions({ cap: settings.hostConnectionCap, holder: this.holder }),
      timeoutMs: settings.mailTimeoutMs,
      onReconnect: ({ accountId, error }) => this.logger.log({ msg: 'kept IMAP connection was gone; writing back over a new one', accountId, err: error.message }),
    });
  }

  /** Kept IMAP sessions open now. */
  get openImapSessions(): number {
    return this.kept.size;
  }

  imap<T>(account: AccountDocument, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const server = accountServerSettings({ box: this.box, account, side: 'receive' });
    return this.kept.run({ accountId: account._id, revision: account.revision, server }, (client) => work(client));
  }

  onApplicationShutdown(): Promise<void> {
    return this.kept.close();
  }
}
