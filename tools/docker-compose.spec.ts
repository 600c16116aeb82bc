import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES, type ServiceName } from '@mailbus/contracts';
import { loadApiConfig } from '../services/api/src/config/api.config';
import { loadAccountRegistryConfig } from '../services/account-registry/src/config/account-registry.config';
import { loadFetcherConfig } from '../services/fetcher/src/config/fetcher.config';
import { loadMessageRouterConfig } from '../services/message-router/src/config/message-router.config';
import { loadSmtpSenderConfig } from '../services/smtp-sender/src/config/smtp-sender.config';
import { loadSpamFeedbackConfig } from '../services/spam-feedback/src/config/spam-feedback.config';

interface ComposeService {
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  image?: string;
}

const compose = parse(readFileSync(resolve(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

const loaders: Record<ServiceName, (env: NodeJS.ProcessEnv) => { httpPort: number }> = {
  api: loadApiConfig,
  'account-registry': loadAccountRegistryConfig,
  fetcher: loadFetcherConfig,
  'message-router': loadMessageRouterConfig,
  'smtp-sender': loadSmtpSenderConfig,
  'spam-feedback': loadSpamFeedbackConfig,
};

describe('docker-compose.yml', () => {
  it.each(SERVICES)('should give %s every variable its configuration requires', (service) => {
    const definition = compose.services[service];
    expect(definition, `${service} missing from docker-compose.yml`).toBeDefined();
    const env = definition?.environment ?? {};
    expect(env.MAILBUS_SERVICE).toBe(service);
    const config = loaders[service](env);
    // The health check probes the port the service really listens on.
    expect(definition?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${config.httpPort}/health/ready`);
  });

  it('should run NATS with JetStream and MongoDB for the services to use', () => {
    expect(compose.services.nats?.healthcheck).toBeDefined();
    expect(JSON.stringify(compose.services.nats)).toContain('--jetstream');
    expect(compose.services.mongo?.image).toMatch(/^mongo:/);
  });
});
