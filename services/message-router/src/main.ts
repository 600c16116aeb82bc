import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadMessageRouterConfig } from './config/message-router.config';

void bootstrapService({ service: 'message-router', loadConfig: () => loadMessageRouterConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort });
