import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { MessageRouterConfig } from './config/message-router.config';

@Module({})
export class AppModule {
  static forRoot(config: MessageRouterConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot({ service: 'message-router', config })] };
  }
}
