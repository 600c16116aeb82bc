import { Injectable } from '@nestjs/common';
import { RpcDomainError } from '@mailbus/service-runtime';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import type { MessageDocument } from './message.document';
import { MessageRepository } from './message.repository';

/**
 * A message by id for the read and write-back RPCs. Routing writes the deliveries before the record
 * (the record means "routed"; see MessageRoutingService), so a client that lists a folder and opens a
 * mail at once can meet a delivery whose record is not in yet: milliseconds normally, until the event
 * comes back after a crash in between. That answers 503 "being routed", not 404 "does not exist".
 */
@Injectable()
export class RoutedMessageFinder {
  constructor(
    private readonly messages: MessageRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async get(messageId: string): Promise<MessageDocument> {
    const message = await this.messages.findById(messageId);
    if (message) return message;
    if (await this.deliveries.anyOfMessage(messageId)) throw RpcDomainError.unavailable(`message ${messageId} is being routed; ask again in a moment`);
    throw RpcDomainError.notFound(`message ${messageId} does not exist`);
  }
}
