import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { ApiConfig } from './config/api.config';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { RpcClientModule } from './rpc/rpc-client.module';
import { StatusController } from './status/status.controller';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'api', config }), RpcClientModule.forRoot({ natsUrl: config.nats.url, timeoutMs: config.rpcTimeoutMs })],
      controllers: [StatusController],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
