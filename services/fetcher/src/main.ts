import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { loadFetcherConfig } from './config/fetcher.config';

void bootstrapService({ service: 'fetcher', loadConfig: () => loadFetcherConfig(), appModule: AppModule.forRoot, httpPort: (config) => config.httpPort });
