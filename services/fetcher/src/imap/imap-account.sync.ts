import { Injectable, Logger } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { imapFlowOptions } from '@mailbus/mail-clients';
import { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import { MessageIngestService } from '../ingest/message-ingest.service';
import type { RunInput, RunResult } from '../runs/fetch-account';
import { FolderCheckpointRepository } from '../sync-status/sync-state.repositories';
import { folderRole } from './folder-role.util';
import { ImapFolderSync } from './imap-folder.sync';

/** One run of an IMAP account: one connection, the account's folders one after the other. */
@Injectable()
export class ImapAccountSync {
  private readonly logger = new Logger(ImapAccountSync.name);

  constructor(
    private readonly ingest: MessageIngestService,
    private readonly records: FetchedMessageRepository,
    private readonly checkpoints: FolderCheckpointRepository,
  ) {}

  async run({ account, budget, timeoutMs }: RunInput): Promise<RunResult> {
    const client = new ImapFlow(imapFlowOptions(account.server, { timeoutMs }));
    client.on('error', (error: Error) => this.logger.warn({ msg: 'IMAP connection error', accountId: account.id, err: error.message }));
    await client.connect();
    const result: RunResult = { fetched: 0, more: false, folderErrors: [], messageErrors: [] };
    try {
      const specialUse = new Map((await client.list()).map((folder) => [folder.path, folder.specialUse]));
      let remaining = budget;
      for (const path of account.receive.folders) {
        if (remaining <= 0) {
          result.more = true;
          break;
        }
        try {
          const sync = new ImapFolderSync({ client, ingest: this.ingest, records: this.records, checkpoints: this.checkpoints }, { accountId: account.id, path, role: folderRole({ path, specialUse: specialUse.get(path) }) });
          const folder = await sync.run({ budget: remaining });
          result.fetched += folder.fetched;
          result.more ||= folder.more;
          remaining -= folder.fetched + folder.relinked;
        } catch (error) {
          if (!client.usable) throw error; // the connection is gone: the whole run failed
          result.folderErrors.push({ folder: path, message: (error as Error).message });
          this.logger.warn({ msg: 'folder failed; the other folders go on', accountId: account.id, folder: path, err: (error as Error).message });
        }
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return result;
  }
}
