import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, secretBoxFromEnv, secretKeyEnv, toBaseConfig } from '@mailbus/config';

const accountRegistryEnv = baseEnv
  .extend({
    HTTP_PORT: port(8081),
    ...secretKeyEnv,
    /** Upper bound for each side of a connection test and for a folder list. */
    CONNECTION_TEST_TIMEOUT_MS: positiveInt(15_000),
    /** Set it to the fetcher's FETCH_HOST_CONNECTION_CAP: a test's or folder list's IMAP/POP3 connection takes one of the same per-host slots. */
    HOST_CONNECTION_CAP: positiveInt(3),
  })
  .transform((env, context) => ({
    ...toBaseConfig(env),
    httpPort: env.HTTP_PORT,
    secretBox: secretBoxFromEnv(env, context),
    connections: { timeoutMs: env.CONNECTION_TEST_TIMEOUT_MS, hostConnectionCap: env.HOST_CONNECTION_CAP },
  }));

export type AccountRegistryConfig = z.output<typeof accountRegistryEnv>;
export type MailConnectionSettings = AccountRegistryConfig['connections'];

export const loadAccountRegistryConfig = (env: NodeJS.ProcessEnv = process.env): AccountRegistryConfig => loadConfig({ service: 'account-registry', schema: accountRegistryEnv, env });
