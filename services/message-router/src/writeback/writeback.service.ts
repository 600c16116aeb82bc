import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeleteScope, Events, MailProtocol, timestampFromDate, type MessageDeletionView, type SpamMarkView } from '@mailbus/contracts';
import { newId } from '@mailbus/mongo-dal';
import { EventPublisher, PendingPublishSweeper } from '@mailbus/nats-transport';
import { RpcDomainError } from '@mailbus/service-runtime';
import type { DeliveryDocument } from '../deliveries/delivery.document';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import { DeliveredCopyFinder } from '../messages/delivered-copy.finder';
import { MessageCopyRepository } from '../messages/message-copy.repository';
import { serverPlaces } from '../messages/message-copy.util';
import type { MessageDocument } from '../messages/message.document';
import { RoutedMessageFinder } from '../messages/routed-message.finder';
import type { WritebackRequestDocument } from './writeback-request.document';
import { WritebackRequestRepository } from './writeback-request.repository';

const PROTOCOLS = { imap: MailProtocol.IMAP, pop3: MailProtocol.POP3, smtp: MailProtocol.UNSPECIFIED } as const;

/**
 * Spam marks and deletions: the user's delivery changes folder at once (what the user sees), and the
 * request to change the server copy is stored with it and published for spam-feedback (outbox
 * pattern). A message is deleted on the server only when every user it was delivered to deleted it,
 * and then with every copy of it the account holds. A spam mark moves the copy the user's delivery
 * was made from.
 */
@Injectable()
export class WritebackService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WritebackService.name);
  private readonly sweeper: PendingPublishSweeper<WritebackRequestDocument>;

  constructor(
    private readonly routed: RoutedMessageFinder,
    private readonly deliveries: DeliveryRepository,
    private readonly copies: MessageCopyRepository,
    private readonly deliveredCopies: DeliveredCopyFinder,
    private readonly requests: WritebackRequestRepository,
    private readonly events: EventPublisher,
  ) {
    this.sweeper = new PendingPublishSweeper({ event: 'spam.marked / message.deleted', pending: (query) => this.requests.pendingPublish(query), publish: (request) => this.publish(request) });
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /** Every mark is its own request: spam, not spam, spam again are three moves on the server. */
  async markSpam({ messageId, userId, spam }: { messageId: string; userId: string; spam: boolean }): Promise<SpamMarkView> {
    const message = await this.routed.get(messageId);
    const current = await this.deliveryOf({ message, userId });
    if (current.deletedAt) throw RpcDomainError.conflict(`message ${messageId} is deleted for user ${userId}`);
    const folder = spam ? 'spam' : current.rule === 'sender-address' ? 'sent' : 'inbox';
    // The user's own copy moves: in a multidrop mailbox another recipient's copy is theirs to mark.
    const { copyId, source, size } = await this.deliveredCopies.of({ message, delivery: current });
    const request: WritebackRequestDocument = { _id: `spam.marked:${newId()}`, kind: 'spam', messageId, userId, accountId: message.accountId, spam, location: locationOf({ message, source, size }), ...(copyId ? { copyId } : {}), pendingPublish: true, requestedAt: new Date() };
    await this.requests.insertIfAbsent(request);
    await this.deliveries.moveTo({ userId, identity: message.identity, folder });
    await this.publishNow(request);
    return { messageId, userId, spam, folder, requestId: request._id };
  }

  /** Deleting again answers the same and publishes nothing new. */
  async delete({ messageId, userId }: { messageId: string; userId: string }): Promise<MessageDeletionView> {
    const message = await this.routed.get(messageId);
    const current = await this.deliveryOf({ message, userId });
    const deleted = current.deletedAt ? current : ((await this.deliveries.moveTo({ userId, identity: message.identity, folder: 'trash', deletedAt: new Date() })) ?? current);
    const all = await this.deliveries.ofMessage(messageId);
    const everyoneDeleted = all.every((delivery) => delivery._id === deleted._id || delivery.deletedAt);
    const scope = everyoneDeleted ? 'server' : 'user';
    const requestedAt = deleted.deletedAt ?? new Date();
    const base = { kind: 'delete', messageId, userId, accountId: message.accountId, scope, pendingPublish: true, requestedAt } as const;
    // One server deletion per message and copy, however many users deleted it last at the same time.
    const requests: WritebackRequestDocument[] =
      scope === 'server'
        ? serverPlaces({ message, copies: await this.copies.ofMessage(messageId) }).map(({ copyId, source, size }) => ({
            ...base,
            _id: copyId ? `message.deleted:${messageId}:${shortHash(copyId)}` : `message.deleted:${messageId}`,
            location: locationOf({ message, source, ...(size ? { size } : {}) }),
          }))
        : [{ ...base, _id: `message.deleted:${deleted._id}`, location: locationOf({ message, source: message.source }) }];
    for (const request of requests) if (await this.requests.insertIfAbsent(request)) await this.publishNow(request);
    return { messageId, userId, folder: 'trash', scope };
  }

  private async publishNow(request: WritebackRequestDocument): Promise<void> {
    await this.publish(request).catch((error: Error) => this.logger.warn({ msg: `${request.kind} write-back not published yet; the sweeper retries`, requestId: request._id, err: error }));
  }

  private async publish(request: WritebackRequestDocument): Promise<void> {
    const { location: at } = request;
    const location = { protocol: PROTOCOLS[at.protocol], folder: at.folder, uidValidity: at.uidValidity ?? 0, uid: at.uid ?? 0, uidl: at.uidl ?? '', messageIdHeader: at.messageIdHeader ?? '', size: at.size ?? 0 };
    if (request.kind === 'spam') {
      await this.events.publish(
        Events.spamMarked,
        { requestId: request._id, messageId: request.messageId, userId: request.userId, accountId: request.accountId, spam: request.spam ?? true, requestedAt: timestampFromDate(request.requestedAt), location, copyId: request.copyId ?? '' },
        { msgId: request._id },
      );
    } else {
      await this.events.publish(Events.messageDeleted, { messageId: request.messageId, userId: request.userId, accountId: request.accountId, scope: request.scope === 'server' ? DeleteScope.SERVER : DeleteScope.USER, deletedAt: timestampFromDate(request.requestedAt), location }, { msgId: request._id });
    }
    await this.requests.markPublished(request._id);
  }

  private async deliveryOf({ message, userId }: { message: MessageDocument; userId: string }): Promise<DeliveryDocument> {
    const delivery = await this.deliveries.findFor({ userId, identity: message.identity });
    if (!delivery) throw RpcDomainError.notFound(`message ${message._id} was not delivered to user ${userId}`);
    return delivery;
  }
}

/** Where one copy of the message is; its size tells it from other copies with the same Message-ID. */
function locationOf({ message, source, size }: { message: Pick<MessageDocument, 'messageIdHeader'>; source: MessageDocument['source']; size?: number }): WritebackRequestDocument['location'] {
  return { ...source, ...(message.messageIdHeader ? { messageIdHeader: message.messageIdHeader } : {}), ...(size ? { size } : {}) };
}

/** A copy's fetch key, bounded for a JetStream msg id. */
const shortHash = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 16);
