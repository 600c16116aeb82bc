import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadSmtpSenderConfig } from './config/smtp-sender.config';

void bootstrapService({ service: 'smtp-sender', loadConfig: () => loadSmtpSenderConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort });
