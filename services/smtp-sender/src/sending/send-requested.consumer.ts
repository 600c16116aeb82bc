import { Controller } from '@nestjs/common';
import { Events, type SendRequested } from '@mailbus/contracts';
import { OnEvent, type EventContext } from '@mailbus/nats-transport';
import { SendAttemptService } from './send-attempt.service';

/**
 * Eight items at a time per replica: an attempt mostly waits, on the store (eight round trips) and on
 * the SMTP server, and the account's pool queues what its connections cannot take yet. bench:send
 * measured mails leaving 0.2 s after their POST (p50) with eight, and queuing for 7 s with four.
 */
@Controller()
export class SendRequestedConsumer {
  constructor(private readonly sender: SendAttemptService) {}

  @OnEvent(Events.sendRequested, { concurrency: 8 })
  onSendRequested(event: SendRequested, ctx: EventContext): Promise<void> {
    return this.sender.onSendRequested(event, ctx);
  }
}
