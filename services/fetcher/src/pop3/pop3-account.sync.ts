import { Injectable } from '@nestjs/common';
import { Pop3Client } from '@mailbus/mail-clients';
import { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import { MessageIngestService } from '../ingest/message-ingest.service';
import type { RunInput, RunResult } from '../runs/fetch-account';

const DAY_MS = 86_400_000;

/**
 * One run of a POP3 account. Stored UIDLs are known from the fetch records; new messages are fetched
 * newest first (highest message number), stored and published, and only then marked with DELE; QUIT
 * commits the deletions. A crash before QUIT deletes nothing (RFC 1939), and the next run finds the
 * messages stored already and deletes them then. With leaveOnServer, messages stay until
 * deleteAfterDays after they were first fetched (getmail's rule, not the Date header).
 */
@Injectable()
export class Pop3AccountSync {
  constructor(
    private readonly ingest: MessageIngestService,
    private readonly records: FetchedMessageRepository,
  ) {}

  async run({ account, budget, timeoutMs }: RunInput): Promise<RunResult> {
    const { server, receive } = account;
    const client = await Pop3Client.connect({ host: server.host, port: server.port, security: server.security, timeoutMs });
    try {
      await client.login({ username: server.username, password: server.password });
      const listing = await client.uidl();
      const stored = await this.records.storedUidls({ accountId: account.id, uidls: listing.map(({ uid }) => uid) });
      const fresh = listing.filter(({ uid }) => !stored.has(uid)).sort((a, b) => b.number - a.number);
      const batch = fresh.slice(0, budget);
      for (const { number, uid } of batch) {
        await this.ingest.ingest({ accountId: account.id, source: { protocol: 'pop3', uidl: uid }, raw: client.retr(number) });
        if (!receive.leaveOnServer) await client.dele(number);
      }
      const expiry = receive.deleteAfterDays > 0 ? Date.now() - receive.deleteAfterDays * DAY_MS : undefined;
      for (const { number, uid } of listing) {
        const record = stored.get(uid);
        if (record && (!receive.leaveOnServer || (expiry !== undefined && record.fetchedAt.getTime() <= expiry))) await client.dele(number);
      }
      await client.quit();
      return { fetched: batch.length, more: fresh.length > batch.length, folderErrors: [], messageErrors: [] };
    } finally {
      client.close();
    }
  }
}
