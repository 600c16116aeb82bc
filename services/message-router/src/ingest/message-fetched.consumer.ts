import { Controller } from '@nestjs/common';
import { Events, type MessageFetched } from '@mailbus/contracts';
import { OnEvent, type EventContext } from '@mailbus/nats-transport';
import { MessageRoutingService } from './message-routing.service';

/**
 * Four events at a time per replica: parsing is CPU, storing is I/O, and overlapping them keeps both
 * busy; more replicas scale further (the consumer is shared).
 */
@Controller()
export class MessageFetchedConsumer {
  constructor(private readonly routing: MessageRoutingService) {}

  @OnEvent(Events.messageFetched, { concurrency: 4 })
  onMessageFetched(event: MessageFetched, { deliveryCount }: EventContext): Promise<void> {
    return this.routing.onMessageFetched(event, { deliveryCount });
  }
}
