import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadSpamFeedbackConfig } from './config/spam-feedback.config';

void bootstrapService({ service: 'spam-feedback', loadConfig: () => loadSpamFeedbackConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort });
