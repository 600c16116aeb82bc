import { z } from 'zod';
import { baseEnv, loadConfig, port, toBaseConfig } from '@mailbus/config';

const accountRegistryEnv = baseEnv.extend({ HTTP_PORT: port(8081) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));

export type AccountRegistryConfig = z.output<typeof accountRegistryEnv>;

export const loadAccountRegistryConfig = (env: NodeJS.ProcessEnv = process.env): AccountRegistryConfig => loadConfig({ service: 'account-registry', schema: accountRegistryEnv, env });
