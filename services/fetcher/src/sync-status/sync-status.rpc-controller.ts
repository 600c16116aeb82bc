import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FetcherRpc, entityIdField, type SyncStatusView } from '@mailbus/contracts';
import { accountId } from '@mailbus/mongo-dal';
import { parseRpcInput } from '@mailbus/service-runtime';
import { z } from 'zod';
import { FetchScheduler } from '../scheduling/fetch-scheduler';
import { AccountSyncStateRepository } from './sync-state.repositories';
import { SyncStatusService } from './sync-status.service';

const accountRequest = z.object({ accountId: entityIdField }).passthrough();

@Controller()
export class SyncStatusRpcController {
  constructor(
    private readonly status: SyncStatusService,
    private readonly states: AccountSyncStateRepository,
    private readonly scheduler: FetchScheduler,
  ) {}

  @MessagePattern(FetcherRpc.getSyncStatus)
  get(@Payload() payload: unknown): Promise<SyncStatusView> {
    return this.status.get(accountId(parseRpcInput(accountRequest, payload).accountId));
  }

  /** "Fetch now": due immediately; the scheduler picks it up within a tick. */
  @MessagePattern(FetcherRpc.syncNow)
  async syncNow(@Payload() payload: unknown): Promise<SyncStatusView> {
    const id = accountId(parseRpcInput(accountRequest, payload).accountId);
    await this.states.schedule({ accountId: id, at: new Date() });
    this.scheduler.tickSoon();
    return this.status.get(id);
  }

  @MessagePattern(FetcherRpc.setFolderCheckpoints)
  setCheckpoints(@Payload() payload: unknown): Promise<SyncStatusView> {
    parseRpcInput(accountRequest, payload);
    return this.status.setCheckpoints(payload);
  }
}
