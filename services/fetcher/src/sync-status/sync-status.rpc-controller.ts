import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FetcherRpc, entityIdField, type SyncStatusView } from '@mailbus/contracts';
import { accountId } from '@mailbus/mongo-dal';
import { RpcDependencyFailureFilter, parseRpcInput } from '@mailbus/service-runtime';
import { z } from 'zod';
import { AccountScheduleService } from '../scheduling/account-schedule.service';
import { SyncStatusService } from './sync-status.service';

const accountRequest = z.object({ accountId: entityIdField }).passthrough();

@UseFilters(RpcDependencyFailureFilter)
@Controller()
export class SyncStatusRpcController {
  constructor(
    private readonly status: SyncStatusService,
    private readonly schedule: AccountScheduleService,
  ) {}

  @MessagePattern(FetcherRpc.getSyncStatus)
  get(@Payload() payload: unknown): Promise<SyncStatusView> {
    return this.status.get(accountId(parseRpcInput(accountRequest, payload).accountId));
  }

  /** "Fetch now": due immediately, even outside the active hours; the scheduler picks it up within a tick. */
  @MessagePattern(FetcherRpc.syncNow)
  async syncNow(@Payload() payload: unknown): Promise<SyncStatusView> {
    const id = accountId(parseRpcInput(accountRequest, payload).accountId);
    await this.schedule.syncNow(id);
    return this.status.get(id);
  }

  /** From account-registry after a connection test of the saved settings passed on the receive side. */
  @MessagePattern(FetcherRpc.reEnable)
  async reEnable(@Payload() payload: unknown): Promise<SyncStatusView> {
    const id = accountId(parseRpcInput(accountRequest, payload).accountId);
    await this.schedule.reEnableAfterConnectionTest(id);
    return this.status.get(id);
  }

  @MessagePattern(FetcherRpc.setFolderCheckpoints)
  setCheckpoints(@Payload() payload: unknown): Promise<SyncStatusView> {
    parseRpcInput(accountRequest, payload);
    return this.status.setCheckpoints(payload);
  }
}
