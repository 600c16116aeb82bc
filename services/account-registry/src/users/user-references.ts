import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { GroupsRepository } from '../groups/groups.repository';

/** Where else a user is named: accounts (owner, sender) and groups (member). */
@Injectable()
export class UserReferences {
  constructor(
    private readonly accounts: AccountsService,
    private readonly groups: GroupsRepository,
  ) {}

  accountsOwnedBy(userId: string): Promise<string[]> {
    return this.accounts.accountsOwnedBy(userId);
  }

  async removeEverywhere(userId: string): Promise<void> {
    await this.accounts.removeSender(userId);
    await this.groups.removeMember(userId);
  }
}
