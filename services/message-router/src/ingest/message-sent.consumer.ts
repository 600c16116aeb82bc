import { Controller } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { Events, FolderRole, MailProtocol, MessageFetchedSchema, type MessageSent } from '@mailbus/contracts';
import { OnEvent } from '@mailbus/nats-transport';
import { SENT_FETCH_KEY_PREFIX } from './message-document.factory';
import { MessageRoutingService } from './message-routing.service';

/**
 * Mail a user sent through mailbus becomes a delivery in that user's `sent` folder, made from the
 * exact bytes sent. The copy filed in a synced Sent folder, fetched later, is the same record (same
 * account and Message-ID). System mail (no user) has no folder to land in, and a follow-up to
 * deferred recipients (no sent copy of its own) adds nothing.
 */
@Controller()
export class MessageSentConsumer {
  constructor(private readonly routing: MessageRoutingService) {}

  @OnEvent(Events.messageSent, { concurrency: 2 })
  async onMessageSent(event: MessageSent): Promise<void> {
    if (!event.userId || !event.blobId) return;
    const appended = event.sentFolder?.uid ? event.sentFolder : undefined;
    const fetched = create(MessageFetchedSchema, {
      fetchKey: `${SENT_FETCH_KEY_PREFIX}${event.outboxId}`,
      accountId: event.accountId,
      protocol: appended ? MailProtocol.IMAP : MailProtocol.UNSPECIFIED,
      folder: appended?.folder ?? event.sentFolder?.folder ?? '',
      folderRole: FolderRole.SENT,
      uidValidity: appended?.uidValidity ?? 0,
      uid: appended?.uid ?? 0,
      blobId: event.blobId,
      size: Number(event.size),
      sha256: event.sha256,
      ...(event.sentAt ? { internalDate: event.sentAt, fetchedAt: event.sentAt } : {}),
      messageIdHeader: event.messageIdHeader,
    });
    await this.routing.onMessageFetched(fetched, { to: { userId: event.userId, folder: 'sent', rule: 'sender-address', matchedAddress: '' } });
  }
}
