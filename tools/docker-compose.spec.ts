import { randomBytes } from 'node:crypto';
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

/** What an operator exports before `docker compose up`; compose substitutes ${VAR:?…} and ${VAR:-default} from it. */
const operatorEnv: Record<string, string> = { MAILBUS_API_TOKENS: 'admin:compose-admin-token-1234,app:compose-app-token-12345', MAILBUS_SECRET_KEY: randomBytes(32).toString('base64') };

const interpolate = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      String(value).replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_match, variable: string, kind?: string, fallback?: string) => {
        if (operatorEnv[variable] !== undefined) return operatorEnv[variable];
        if (kind === '-') return fallback ?? '';
        throw new Error(`docker-compose.yml needs ${variable}, which the operator env of this test does not set`);
      }),
    ]),
  );

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
    const env = interpolate(definition?.environment ?? {});
    expect(env.MAILBUS_SERVICE).toBe(service);
    const config = loaders[service](env);
    // The health check probes the port the service really listens on.
    expect(definition?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${config.httpPort}/health/ready`);
  });

  it('should run every service in production and give the secret key only to those that open account passwords', () => {
    const withKey = SERVICES.filter((service) => compose.services[service]?.environment?.MAILBUS_SECRET_KEY !== undefined).sort();
    expect(withKey).toEqual(['account-registry', 'fetcher', 'smtp-sender', 'spam-feedback']);
    for (const service of SERVICES) expect(compose.services[service]?.environment?.MAILBUS_ENV, service).toBe('production');
    expect(compose.services.api?.environment?.MAILBUS_API_TOKENS).toMatch(/^\$\{MAILBUS_API_TOKENS:\?/);
  });

  it('should run NATS with JetStream and MongoDB for the services to use', () => {
    expect(compose.services.nats?.healthcheck).toBeDefined();
    expect(JSON.stringify(compose.services.nats)).toContain('--jetstream');
    expect(compose.services.mongo?.image).toMatch(/^mongo:/);
  });
});
