import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, toBaseConfig } from '@mailbus/config';

const apiEnv = baseEnv
  .extend({
    API_PORT: port(8080),
    /** Upper bound for a request/reply call to another service before the api answers 503. */
    RPC_TIMEOUT_MS: positiveInt(5_000),
  })
  .transform((env) => ({ ...toBaseConfig(env), httpPort: env.API_PORT, rpcTimeoutMs: env.RPC_TIMEOUT_MS }));

export type ApiConfig = z.output<typeof apiEnv>;

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => loadConfig({ service: 'api', schema: apiEnv, env });
