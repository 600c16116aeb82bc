import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, secretBoxFromEnv, secretKeyEnv, toBaseConfig } from '@mailbus/config';

const accountRegistryEnv = baseEnv
  .extend({
    HTTP_PORT: port(8081),
    ...secretKeyEnv,
    /** Upper bound for each side of a connection test and for a folder list. */
    CONNECTION_TEST_TIMEOUT_MS: positiveInt(15_000),
  })
  .transform((env, context) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT, secretBox: secretBoxFromEnv(env, context), connectionTestTimeoutMs: env.CONNECTION_TEST_TIMEOUT_MS }));

export type AccountRegistryConfig = z.output<typeof accountRegistryEnv>;

export const loadAccountRegistryConfig = (env: NodeJS.ProcessEnv = process.env): AccountRegistryConfig => loadConfig({ service: 'account-registry', schema: accountRegistryEnv, env });
