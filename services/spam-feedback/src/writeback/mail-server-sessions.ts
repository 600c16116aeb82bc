import { Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import type { ImapFlow } from 'imapflow';
import type { SecretBox } from '@mailbus/crypto';
import { accountServerSettings, type AccountDocument } from '@mailbus/directory';
import { Pop3Client, withImapClient } from '@mailbus/mail-clients';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import type { WritebackSettings } from '../config/spam-feedback.config';
import { WRITEBACK_SECRET_BOX, WRITEBACK_SETTINGS } from '../config/writeback.tokens';

/**
 * One short IMAP or POP3 session per write-back, inside a per-host connection slot shared with the
 * fetcher (SPEC §3.6: no server host gets more connections than its cap, whoever opens them).
 */
@Injectable()
export class MailServerSessions {
  private readonly holder = `spam-feedback:${hostname()}:${newId()}`;

  constructor(
    private readonly slots: HostConnectionSlots,
    @Inject(WRITEBACK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(WRITEBACK_SETTINGS) private readonly settings: WritebackSettings,
  ) {}

  imap<T>(account: AccountDocument, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const server = accountServerSettings({ box: this.box, account, side: 'receive' });
    return this.inSlot(server.host, () => withImapClient(server, { timeoutMs: this.settings.mailTimeoutMs }, work));
  }

  /** The caller's work ends with QUIT (it commits DELE); any other exit drops the connection, and nothing is deleted. */
  pop3<T>(account: AccountDocument, work: (client: Pop3Client) => Promise<T>): Promise<T> {
    const server = accountServerSettings({ box: this.box, account, side: 'receive' });
    return this.inSlot(server.host, async () => {
      const client = await Pop3Client.connect({ host: server.host, port: server.port, security: server.security, timeoutMs: this.settings.mailTimeoutMs });
      try {
        await client.login({ username: server.username, password: server.password });
        return await work(client);
      } finally {
        client.close();
      }
    });
  }

  /** When the host's slots are all taken (the fetcher is busy there), RetryLaterError brings the event back. */
  private inSlot<T>(host: string, work: () => Promise<T>): Promise<T> {
    return this.slots.inSlot({ host, cap: this.settings.hostConnectionCap, holder: this.holder }, work);
  }
}
