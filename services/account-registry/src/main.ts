import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadAccountRegistryConfig } from './config/account-registry.config';

void bootstrapService({ service: 'account-registry', loadConfig: () => loadAccountRegistryConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort });
