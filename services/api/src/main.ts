import { Logger } from 'nestjs-pino';
import { bootstrapService } from '@mailbus/service-runtime';
import { AppModule } from './app.module';
import { useBodyLimits } from './body-limits';
import { loadApiConfig } from './config/api.config';
import { mountOpenApi } from './openapi';

void bootstrapService({
  service: 'api',
  loadConfig: () => loadApiConfig(),
  appModule: AppModule.forRoot,
  httpPort: (config) => config.httpPort,
  configure: (app, config) => {
    useBodyLimits(app);
    mountOpenApi(app);
    // Only in development and only when no token was configured (production refuses to start then).
    if (config.generatedToken) app.get(Logger).warn({ msg: `MAILBUS_API_TOKENS is not set: generated an admin token for this run: ${config.generatedToken}`, event: 'api.dev_token_generated' });
  },
});
