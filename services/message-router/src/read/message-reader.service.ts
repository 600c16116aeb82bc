import { Injectable } from '@nestjs/common';
import { MESSAGE_BODY_SLICE_CHARS, type AttachmentLocationView, type MessageBodySlice, type MessagePageView, type MessageSummaryView, type MessageView, type MessageViewReply, type RawLocationView, type UserFolderName } from '@mailbus/contracts';
import { RpcDomainError } from '@mailbus/service-runtime';
import type { DeliveryDocument } from '../deliveries/delivery.document';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import type { MessageDocument } from '../messages/message.document';
import { DeliveredCopyFinder } from '../messages/delivered-copy.finder';
import type { MessageCopyView } from '../messages/message-copy.util';
import { RoutedMessageFinder } from '../messages/routed-message.finder';
import { fitReply } from './fit-reply.util';
import { decodeCursor, encodeCursor } from './page-cursor.util';

/** The read API's queries (SPEC §4), answered over NATS request/reply to the api. */
@Injectable()
export class MessageReaderService {
  constructor(
    private readonly routed: RoutedMessageFinder,
    private readonly deliveries: DeliveryRepository,
    private readonly deliveredCopies: DeliveredCopyFinder,
  ) {}

  async list({ userId, folder, limit, cursor }: { userId: string; folder: UserFolderName; limit: number; cursor?: string }): Promise<MessagePageView> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw RpcDomainError.invalid([{ path: 'cursor', message: 'is not a cursor of this list; pass nextCursor of the previous page' }]);
    // One more than asked: whether there is a next page without a second query.
    const page = await this.deliveries.page({ userId, folder, limit: limit + 1, ...(after ? { after } : {}) });
    const shown = page.slice(0, limit);
    const last = shown.at(-1);
    return { messages: shown.map(summaryView), ...(page.length > limit && last ? { nextCursor: encodeCursor({ receivedAt: last.receivedAt, id: last._id }) } : {}) };
  }

  async get({ messageId, userId }: { messageId: string; userId?: string }): Promise<MessageViewReply> {
    const message = await this.routed.get(messageId);
    const delivery = userId === undefined ? undefined : await this.deliveries.findFor({ userId, identity: message.identity });
    if (userId !== undefined && !delivery) throw RpcDomainError.notFound(`message ${messageId} was not delivered to user ${userId}`);
    const copy = await this.deliveredCopies.of({ message, delivery });
    return fitReply(messageView({ message, copy, ...(delivery ? { delivery } : {}) }));
  }

  /** A slice of a body that getMessage left out (bodyLengths); the caller asked getMessage first, which checked the user. */
  async readBody({ messageId, part, from }: { messageId: string; part: 'text' | 'html'; from: number }): Promise<MessageBodySlice> {
    const body = (await this.routed.get(messageId))[part] ?? '';
    return { slice: body.slice(from, from + MESSAGE_BODY_SLICE_CHARS) };
  }

  /** With `userId`, the copy the user's delivery was made from (a multidrop copy carries its recipient's trace headers). */
  async locateRaw({ messageId, userId }: { messageId: string; userId?: string }): Promise<RawLocationView> {
    const message = await this.routed.get(messageId);
    const delivery = userId === undefined ? undefined : await this.deliveries.findFor({ userId, identity: message.identity });
    if (userId !== undefined && !delivery) throw RpcDomainError.notFound(`message ${messageId} was not delivered to user ${userId}`);
    const { blobId, size } = await this.deliveredCopies.of({ message, delivery });
    return { messageId, blobId, size, filename: `${messageId}.eml` };
  }

  async locateAttachment({ messageId, index }: { messageId: string; index: number }): Promise<AttachmentLocationView> {
    const message = await this.routed.get(messageId);
    const attachment = message.attachments.find((candidate) => candidate.index === index);
    if (!attachment) throw RpcDomainError.notFound(`message ${messageId} has no attachment ${index} (it has ${message.attachments.length})`);
    return { messageId, blobId: message.blobId, attachment };
  }

  async setRead({ messageId, userId, read }: { messageId: string; userId: string; read: boolean }): Promise<MessageSummaryView> {
    const message = await this.routed.get(messageId);
    const delivery = await this.deliveries.setRead({ userId, identity: message.identity, read });
    if (!delivery) throw RpcDomainError.notFound(`message ${messageId} was not delivered to user ${userId}`);
    return summaryView(delivery);
  }
}

function summaryView(delivery: DeliveryDocument): MessageSummaryView {
  return {
    id: delivery.messageId,
    deliveryId: delivery._id,
    accountId: delivery.accountId,
    folder: delivery.folder,
    rule: delivery.rule,
    matchedAddress: delivery.matchedAddress,
    read: delivery.read,
    ...(delivery.from ? { from: delivery.from } : {}),
    to: delivery.to,
    subject: delivery.subject,
    ...(delivery.date ? { date: delivery.date.toISOString() } : {}),
    receivedAt: delivery.receivedAt.toISOString(),
    size: delivery.size,
    spam: delivery.spam,
    threadId: delivery.threadId,
    hasAttachments: delivery.hasAttachments,
    ...(delivery.parseError ? { parseError: delivery.parseError } : {}),
  };
}

/** `copy`: the one the delivery was made from, whose headers, Bcc, size and place are shown, never another recipient's. */
function messageView({ message, copy, delivery }: { message: MessageDocument; copy: MessageCopyView; delivery?: DeliveryDocument }): MessageView {
  const { source, headers, bcc, size } = copy;
  return {
    id: message._id,
    accountId: message.accountId,
    ...(message.messageIdHeader ? { messageIdHeader: message.messageIdHeader } : {}),
    ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
    references: message.references,
    threadId: message.threadId,
    ...(message.date ? { date: message.date.toISOString() } : {}),
    receivedAt: message.receivedAt.toISOString(),
    ...(message.from ? { from: message.from } : {}),
    ...(message.sender ? { sender: message.sender } : {}),
    to: message.to,
    cc: message.cc,
    bcc,
    replyTo: message.replyTo,
    subject: message.subject,
    size,
    headers,
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    htmlHasRemoteContent: message.htmlHasRemoteContent,
    attachments: message.attachments,
    ...(message.calendar ? { calendar: message.calendar } : {}),
    spam: message.spam,
    ...(message.parseError ? { parseError: message.parseError } : {}),
    source: { protocol: source.protocol, folder: source.folder, ...(source.uidValidity !== undefined ? { uidValidity: source.uidValidity, uid: source.uid } : {}), ...(source.uidl !== undefined ? { uidl: source.uidl } : {}) },
    ...(delivery ? { delivery: { id: delivery._id, folder: delivery.folder, rule: delivery.rule, matchedAddress: delivery.matchedAddress, read: delivery.read } } : {}),
  };
}
