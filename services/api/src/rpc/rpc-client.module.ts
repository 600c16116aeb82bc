import { Module, type DynamicModule } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { rpcConnectionOptions } from '@mailbus/nats-transport';
import { RpcClient } from './rpc-client';

export const NATS_RPC_PROXY = Symbol('NATS_RPC_PROXY');

/** The api's side of NATS request/reply to the other services. */
@Module({})
export class RpcClientModule {
  static forRoot({ natsUrl, timeoutMs }: { natsUrl: string; timeoutMs: number }): DynamicModule {
    return {
      module: RpcClientModule,
      providers: [
        { provide: NATS_RPC_PROXY, useFactory: () => ClientProxyFactory.create({ transport: Transport.NATS, options: rpcConnectionOptions({ servers: natsUrl, name: 'mailbus-api-rpc-client' }) }) },
        { provide: RpcClient, useFactory: (proxy) => new RpcClient(proxy, timeoutMs), inject: [NATS_RPC_PROXY] },
      ],
      exports: [RpcClient],
    };
  }
}
