import { Module, type DynamicModule } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { HostConnectionSlots, rpcConnectionOptions } from '@mailbus/nats-transport';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import { AccountChangePublisher } from './accounts/account-change.publisher';
import { AccountSecrets, SECRET_BOX } from './accounts/account-secrets';
import { AccountsRepository } from './accounts/accounts.repository';
import { AccountsService } from './accounts/accounts.service';
import { AddressClaims } from './addresses/address-claims';
import type { AccountRegistryConfig } from './config/account-registry.config';
import { ConnectionTestService } from './connection/connection-test.service';
import { FETCHER_RPC_PROXY, FetcherRpcClient } from './connection/fetcher-rpc.client';
import { MAIL_CONNECTION_SETTINGS, MailServerSlots } from './connection/mail-server-slots';
import { GroupsRepository } from './groups/groups.repository';
import { GroupsService } from './groups/groups.service';
import { RegistryRpcController } from './registry.rpc-controller';
import { UserReferences } from './users/user-references';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

@Module({})
export class AppModule {
  static forRoot(config: AccountRegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'account-registry', config }), MongoModule.forFeature([AddressClaims, UsersRepository, GroupsRepository, AccountsRepository, BlobStore])],
      controllers: [RegistryRpcController],
      providers: [
        { provide: SECRET_BOX, useValue: config.secretBox },
        { provide: MAIL_CONNECTION_SETTINGS, useValue: config.connections },
        HostConnectionSlots,
        MailServerSlots,
        AccountSecrets,
        AccountChangePublisher,
        AccountsService,
        UsersService,
        UserReferences,
        GroupsService,
        ConnectionTestService,
        {
          provide: FETCHER_RPC_PROXY,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.NATS, options: rpcConnectionOptions({ servers: config.nats.url, name: 'mailbus-account-registry-rpc-client' }) }),
        },
        FetcherRpcClient,
      ],
    };
  }
}
