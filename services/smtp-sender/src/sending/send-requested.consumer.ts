import { Controller } from '@nestjs/common';
import { Events, type SendRequested } from '@mailbus/contracts';
import { OnEvent } from '@mailbus/nats-transport';
import { SendAttemptService } from './send-attempt.service';

/** Four items at a time per replica: an SMTP conversation is mostly waiting. */
@Controller()
export class SendRequestedConsumer {
  constructor(private readonly sender: SendAttemptService) {}

  @OnEvent(Events.sendRequested, { concurrency: 4 })
  onSendRequested(event: SendRequested): Promise<void> {
    return this.sender.onSendRequested(event.outboxId);
  }
}
