import { Injectable } from '@nestjs/common';
import { RpcDomainError } from '@mailbus/service-runtime';
import type { DeliveryDocument } from '../deliveries/delivery.document';
import { MessageCopyRepository } from './message-copy.repository';
import { copyView, type MessageCopyView } from './message-copy.util';
import type { MessageDocument } from './message.document';

/**
 * The copy of a mail a user's delivery was made from, for reading and marking it. Routing writes a
 * delivery before the copy it was made from is kept (as it writes deliveries before the record), so
 * a delivery can briefly point at a copy that is not in yet: that answers 503 "being routed", never
 * the record's own copy, which is another recipient's.
 */
@Injectable()
export class DeliveredCopyFinder {
  constructor(private readonly copies: MessageCopyRepository) {}

  async of({ message, delivery }: { message: MessageDocument; delivery?: Pick<DeliveryDocument, 'userId' | 'messageId' | 'fetchKey'> | null }): Promise<MessageCopyView> {
    // Without a fetch key: a delivery written before copies were told apart, or none. Another record's: the same mail through another account.
    if (!delivery?.fetchKey || delivery.fetchKey === message.fetchKey || delivery.messageId !== message._id) return copyView(message);
    const copy = await this.copies.findByFetchKey(delivery.fetchKey);
    if (!copy) throw RpcDomainError.unavailable(`message ${message._id}: the copy delivered to user ${delivery.userId} is being routed; ask again in a moment`);
    return copyView(message, copy);
  }
}
