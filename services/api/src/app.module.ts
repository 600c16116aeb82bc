import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import { AccountsController } from './accounts/accounts.controller';
import { FolderLists } from './accounts/folder-lists';
import { API_TOKENS, BearerAuthGuard } from './auth/bearer-auth.guard';
import type { ApiConfig } from './config/api.config';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { ZodValidationPipe } from './errors/zod-validation.pipe';
import { GroupsController } from './groups/groups.controller';
import { MessageBodies } from './messages/message-bodies';
import { MessageContentService } from './messages/message-content.service';
import { MessagesController } from './messages/messages.controller';
import { OutboxRequestRelay } from './outbox/outbox-request-relay';
import { OutboxController } from './outbox/outbox.controller';
import { RpcClientModule } from './rpc/rpc-client.module';
import { ShortLivedBlobSweeper } from './short-lived-blob.sweeper';
import { StatusController } from './status/status.controller';
import { UsersController } from './users/users.controller';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'api', config }), RpcClientModule.forRoot({ natsUrl: config.nats.url, timeoutMs: config.rpcTimeoutMs }), MongoModule.forFeature([BlobStore])],
      controllers: [StatusController, UsersController, GroupsController, AccountsController, MessagesController, OutboxController],
      providers: [
        { provide: API_TOKENS, useValue: config.apiTokens },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        MessageContentService,
        MessageBodies,
        OutboxRequestRelay,
        ShortLivedBlobSweeper,
        FolderLists,
      ],
    };
  }
}
