import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { AccountRegistryConfig } from './config/account-registry.config';

@Module({})
export class AppModule {
  static forRoot(config: AccountRegistryConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot({ service: 'account-registry', config })] };
  }
}
