import { Controller } from '@nestjs/common';
import { Events, type SendRequested } from '@mailbus/contracts';
import { OnEvent, type EventContext } from '@mailbus/nats-transport';
import { SendAttemptService } from './send-attempt.service';

/** Four items at a time per replica: an SMTP conversation is mostly waiting. */
@Controller()
export class SendRequestedConsumer {
  constructor(private readonly sender: SendAttemptService) {}

  @OnEvent(Events.sendRequested, { concurrency: 4 })
  onSendRequested(event: SendRequested, ctx: EventContext): Promise<void> {
    return this.sender.onSendRequested(event, ctx);
  }
}
