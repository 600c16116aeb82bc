import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { KeptImapSessions } from '@mailbus/mail-clients';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots, RetryLaterError } from '@mailbus/nats-transport';
import { SENDING_SETTINGS } from '../config/sending.tokens';
import type { SendingSettings } from '../config/smtp-sender.config';

/** When every slot of the host is taken, the event that wanted a session comes back after this. */
const HOST_BUSY_RETRY_MS = 5_000;

/**
 * The IMAP sessions Sent-folder copies go over: one per account, kept for a few seconds after its last
 * copy (KeptImapSessions), each in one of the host's connection slots (HOST_CONNECTION_CAP, shared with
 * the fetcher and spam-feedback across replicas).
 */
@Injectable()
export class SentFolderSessions extends KeptImapSessions implements OnApplicationShutdown {
  private static readonly logger = new Logger(SentFolderSessions.name);

  constructor(slots: HostConnectionSlots, @Inject(SENDING_SETTINGS) settings: SendingSettings) {
    const holder = `smtp-sender:${hostname()}:${newId()}`;
    super({
      acquireSlot: ({ host, leaseMs }) => slots.acquire({ host, cap: settings.hostConnectionCap, holder, leaseMs }),
      noSlot: (host) => new RetryLaterError(HOST_BUSY_RETRY_MS, `every connection slot of ${host} is taken`),
      timeoutMs: settings.mailTimeoutMs,
      onReconnect: ({ accountId, error }) => SentFolderSessions.logger.log({ msg: 'kept IMAP connection was gone; copying over a new one', accountId, err: error.message }),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
