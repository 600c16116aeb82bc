import { Module, type DynamicModule } from '@nestjs/common';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { FetcherConfig } from './config/fetcher.config';
import { AccountLeases } from './connections/account-leases';
import { IdleMetrics } from './idle/idle.metrics';
import { InboxIdleWatcher } from './idle/inbox-idle.watcher';
import { ImapAccountSync } from './imap/imap-account.sync';
import { RelinkedMessageRepository } from './imap/relinked-message.repository';
import { FetchedMessageRepository } from './ingest/fetched-message.repository';
import { Pop3DeletionRequests } from './pop3/pop3-deletion-requests';
import { Pop3DeletionsConsumer } from './pop3/pop3-deletions.consumer';
import { MessageIngestService } from './ingest/message-ingest.service';
import { Pop3AccountSync } from './pop3/pop3-account.sync';
import { AccountRunService, FETCHER_SECRET_BOX, FETCH_SETTINGS } from './runs/account-run.service';
import { FetcherMetrics } from './runs/fetcher.metrics';
import { AccountChangesConsumer } from './scheduling/account-changes.consumer';
import { AccountScheduleService } from './scheduling/account-schedule.service';
import { FetchScheduler } from './scheduling/fetch-scheduler';
import { OwnerActivityReader } from './scheduling/owner-activity.reader';
import { AccountSyncStateRepository, FolderCheckpointRepository } from './sync-status/sync-state.repositories';
import { SyncStateMetrics } from './sync-status/sync-state.metrics';
import { SyncStatusRpcController } from './sync-status/sync-status.rpc-controller';
import { SyncStatusService } from './sync-status/sync-status.service';

@Module({})
export class AppModule {
  static forRoot(config: FetcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceRuntimeModule.forRoot({ service: 'fetcher', config }),
        MongoModule.forFeature([AccountSyncStateRepository, FolderCheckpointRepository, FetchedMessageRepository, RelinkedMessageRepository, Pop3DeletionRequests, BlobStore]),
      ],
      controllers: [SyncStatusRpcController, AccountChangesConsumer, Pop3DeletionsConsumer],
      providers: [
        { provide: FETCHER_SECRET_BOX, useValue: config.secretBox },
        { provide: FETCH_SETTINGS, useValue: config.fetch },
        HostConnectionSlots,
        AccountLeases,
        SyncStatusService,
        MessageIngestService,
        ImapAccountSync,
        Pop3AccountSync,
        FetcherMetrics,
        SyncStateMetrics,
        AccountRunService,
        FetchScheduler,
        AccountScheduleService,
        OwnerActivityReader,
        IdleMetrics,
        InboxIdleWatcher,
      ],
    };
  }
}
