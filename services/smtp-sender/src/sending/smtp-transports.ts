import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { smtpTransportOptions, type MailServerSettings } from '@mailbus/mail-clients';

/**
 * One pooled nodemailer SMTP transport per account and settings revision (issue: "a pool per
 * account"): connections are reused across sends, and changed settings get a fresh pool.
 */
@Injectable()
export class SmtpTransports implements OnApplicationShutdown {
  private readonly pools = new Map<string, { revision: number; transport: Transporter<SMTPTransport.SentMessageInfo> }>();

  for({ accountId, revision, server, timeoutMs }: { accountId: string; revision: number; server: MailServerSettings; timeoutMs: number }): Transporter<SMTPTransport.SentMessageInfo> {
    const current = this.pools.get(accountId);
    if (current?.revision === revision) return current.transport;
    current?.transport.close();
    const transport = createTransport({ ...smtpTransportOptions(server, { timeoutMs }), pool: true, maxConnections: 2, maxMessages: 100 });
    this.pools.set(accountId, { revision, transport });
    return transport;
  }

  onApplicationShutdown(): void {
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }
}
