import { SERVICES, type ServiceName } from '@mailbus/contracts';
import { loadApiConfig } from '../../services/api/src/config/api.config';
import { loadAccountRegistryConfig } from '../../services/account-registry/src/config/account-registry.config';
import { loadFetcherConfig } from '../../services/fetcher/src/config/fetcher.config';
import { loadMessageRouterConfig } from '../../services/message-router/src/config/message-router.config';
import { loadSmtpSenderConfig } from '../../services/smtp-sender/src/config/smtp-sender.config';
import { loadSpamFeedbackConfig } from '../../services/spam-feedback/src/config/spam-feedback.config';

/** Each service's own configuration loader: what the deploy files are checked against. */
export const CONFIG_LOADERS: Record<ServiceName, (env: NodeJS.ProcessEnv) => { httpPort: number }> = {
  api: loadApiConfig,
  'account-registry': loadAccountRegistryConfig,
  fetcher: loadFetcherConfig,
  'message-router': loadMessageRouterConfig,
  'smtp-sender': loadSmtpSenderConfig,
  'spam-feedback': loadSpamFeedbackConfig,
};

/**
 * Variables a deploy file may set although a service's config schema does not read them:
 * MAILBUS_SERVICE (the image's CMD and healthcheck), HTTP_HOST (the service runtime's listen()) and
 * MAILBUS_ENV, which deploy files set on every service alike although only the api reads it today.
 */
export const VARIABLES_READ_OUTSIDE_SCHEMAS = ['MAILBUS_SERVICE', 'HTTP_HOST', 'MAILBUS_ENV'] as const;

/**
 * The environment variables a service's config schema reads, found by loading it with an
 * environment that records every variable asked for (zod reads exactly the keys of its shape).
 * Derived from the code, so a deploy file that sets a misspelt variable is caught.
 */
export function variablesReadBy(service: ServiceName): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(target, key) {
      if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key)) read.add(key);
      return Reflect.get(target, key) as unknown;
    },
  });
  try {
    CONFIG_LOADERS[service](env);
  } catch {
    // An empty environment is invalid; only the variables asked for matter here.
  }
  return read;
}

/**
 * The services given MAILBUS_SECRET_KEY (README "Configuration"): account-registry and fetcher read
 * it now; smtp-sender and spam-feedback get it already for when they send and write back.
 */
export const SECRET_KEY_SERVICES: readonly ServiceName[] = ['account-registry', 'fetcher', 'smtp-sender', 'spam-feedback'];

/** A valid set of secrets for loading configurations in tests. */
export const TEST_SECRETS = {
  MAILBUS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  MAILBUS_API_TOKENS: 'admin:test-admin-token-123456,app:test-app-token-1234567',
  NATS_URL: 'nats://nats:4222',
  MONGODB_URL: 'mongodb://mongodb:27017/?replicaSet=rs0',
};

export { SERVICES };
