import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { FetcherConfig } from './config/fetcher.config';

@Module({})
export class AppModule {
  static forRoot(config: FetcherConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot({ service: 'fetcher', config })] };
  }
}
