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

  /**
   * max_ack_pending above the server's 1000: events that wait out a short retry in JetStream stay
   * unacknowledged, and at the limit no account's mail would be handed out. Retries longer than a
   * minute are acknowledged and requested again when due (SendAttemptService), so this is headroom.
   */
  @OnEvent(Events.sendRequested, { concurrency: 8, maxAckPending: 10_000 })
  onSendRequested(event: SendRequested, ctx: EventContext): Promise<void> {
    return this.sender.onSendRequested(event, ctx);
  }
}
