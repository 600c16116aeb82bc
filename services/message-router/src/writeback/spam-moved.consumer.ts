import { Controller } from '@nestjs/common';
import { Events, SpamMoveResult, timestampDate, type SpamMoved } from '@mailbus/contracts';
import { OnEvent } from '@mailbus/nats-transport';
import { MessageCopyRepository } from '../messages/message-copy.repository';
import { MessageRepository } from '../messages/message.repository';

/**
 * Keeps the message record's server location in step with spam-feedback's moves: the next write-back
 * (not spam, deletion) starts from where the message now is: the record's own place, or the copy's
 * the mark was for (a multidrop mailbox's per-recipient copy). An older move answered late is ignored.
 */
@Controller()
export class SpamMovedConsumer {
  constructor(
    private readonly messages: MessageRepository,
    private readonly copies: MessageCopyRepository,
  ) {}

  @OnEvent(Events.spamMoved)
  async onSpamMoved(event: SpamMoved): Promise<void> {
    if (!event.toFolder || !event.newUid || (event.result !== SpamMoveResult.MOVED && event.result !== SpamMoveResult.SKIPPED)) return;
    const moved = {
      id: event.messageId,
      source: { protocol: 'imap', folder: event.toFolder, folderRole: event.spam ? 'junk' : 'inbox', uidValidity: event.newUidValidity, uid: event.newUid },
      at: event.movedAt ? timestampDate(event.movedAt) : new Date(),
    } as const;
    await (event.copyId ? this.copies.relocate({ ...moved, fetchKey: event.copyId }) : this.messages.relocate(moved));
  }
}
