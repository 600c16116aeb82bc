import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { SpamFeedbackConfig } from './config/spam-feedback.config';

@Module({})
export class AppModule {
  static forRoot(config: SpamFeedbackConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot({ service: 'spam-feedback', config })] };
  }
}
