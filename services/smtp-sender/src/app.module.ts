import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { SmtpSenderConfig } from './config/smtp-sender.config';

@Module({})
export class AppModule {
  static forRoot(config: SmtpSenderConfig): DynamicModule {
    return { module: AppModule, imports: [ServiceRuntimeModule.forRoot({ service: 'smtp-sender', config })] };
  }
}
