import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { KeptImapSessions } from '@mailbus/mail-clients';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import { SENDING_SETTINGS } from '../config/sending.tokens';
import type { SendingSettings } from '../config/smtp-sender.config';

/**
 * The IMAP sessions Sent-folder copies go over: one per account, kept for a few seconds after its last
 * copy (KeptImapSessions), each in one of the host's connection slots (HOST_CONNECTION_CAP, shared with
 * the fetcher and spam-feedback across replicas).
 */
@Injectable()
export class SentFolderSessions extends KeptImapSessions implements OnApplicationShutdown {
  private static readonly logger = new Logger(SentFolderSessions.name);

  constructor(slots: HostConnectionSlots, @Inject(SENDING_SETTINGS) settings: SendingSettings) {
    super({
      ...slots.forKeptSessions({ cap: settings.hostConnectionCap, holder: `smtp-sender:${hostname()}:${newId()}` }),
      timeoutMs: settings.mailTimeoutMs,
      onReconnect: ({ accountId, error }) => SentFolderSessions.logger.log({ msg: 'kept IMAP connection was gone; copying over a new one', accountId, err: error.message }),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
