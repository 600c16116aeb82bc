import { Controller, Inject, Logger } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DeleteScope, Events, type MessageDeleted } from '@mailbus/contracts';
import { findAccount } from '@mailbus/directory';
import { MONGO_DB, accountId } from '@mailbus/mongo-dal';
import { OnEvent } from '@mailbus/nats-transport';
import { Pop3DeletionRequests } from './pop3-deletion-requests';

/**
 * A message every user deleted, of a POP3 account that leaves mail on the server, is deleted there by
 * the account's next run (Pop3DeletionRequests). IMAP deletions are spam-feedback's; a POP3 account
 * without leaveOnServer deleted the message after fetching it.
 */
@Controller()
export class Pop3DeletionsConsumer {
  private readonly logger = new Logger(Pop3DeletionsConsumer.name);

  constructor(
    @Inject(MONGO_DB) private readonly db: Db,
    private readonly requests: Pop3DeletionRequests,
  ) {}

  @OnEvent(Events.messageDeleted)
  async onMessageDeleted(event: MessageDeleted): Promise<void> {
    const key = event.location?.uidl;
    if (event.scope !== DeleteScope.SERVER || !key) return;
    const account = await findAccount(this.db, event.accountId);
    const receive = account?.receive;
    if (!account || account.deletedAt || receive?.protocol !== 'pop3' || !receive.leaveOnServer) return;
    await this.requests.request({ accountId: accountId(account._id), key, messageId: event.messageId });
    this.logger.log({ msg: 'POP3 deletion requested; the next run deletes it on the server', accountId: account._id, messageId: event.messageId });
  }
}
