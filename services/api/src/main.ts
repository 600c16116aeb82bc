import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadApiConfig } from './config/api.config';
import { mountOpenApi } from './openapi';

void bootstrapService({ service: 'api', loadConfig: () => loadApiConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort, configure: mountOpenApi });
