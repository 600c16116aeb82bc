import { Controller } from '@nestjs/common';
import { Events, type AccountChanged } from '@mailbus/contracts';
import { accountId } from '@mailbus/mongo-dal';
import { OnEvent } from '@mailbus/nats-transport';
import { AccountScheduleService } from './account-schedule.service';

/** Keeps the schedule in step with the registry (see AccountScheduleService.onAccountChanged). */
@Controller()
export class AccountChangesConsumer {
  constructor(private readonly schedule: AccountScheduleService) {}

  @OnEvent(Events.accountChanged)
  async onAccountChanged(event: AccountChanged): Promise<void> {
    await this.schedule.onAccountChanged({ accountId: accountId(event.accountId), event });
  }
}
