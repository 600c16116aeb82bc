import { Controller } from '@nestjs/common';
import { Events, type MessageDeleted, type SpamMarked } from '@mailbus/contracts';
import { OnEvent, type EventContext } from '@mailbus/nats-transport';
import { DeleteWritebackService } from './delete-writeback.service';
import { SpamWritebackService } from './spam-writeback.service';

/** Two write-backs at a time per replica: each is one short session, and hosts are capped anyway. */
@Controller()
export class WritebackConsumers {
  constructor(
    private readonly spam: SpamWritebackService,
    private readonly deletions: DeleteWritebackService,
  ) {}

  @OnEvent(Events.spamMarked, { concurrency: 2 })
  onSpamMarked(event: SpamMarked, ctx: EventContext): Promise<void> {
    return this.spam.onSpamMarked(event, ctx);
  }

  @OnEvent(Events.messageDeleted, { concurrency: 2 })
  onMessageDeleted(event: MessageDeleted, ctx: EventContext): Promise<void> {
    return this.deletions.onMessageDeleted(event, ctx);
  }
}
