import { z } from 'zod';
import { baseEnv, loadConfig, port, toBaseConfig } from '@mailbus/config';

const fetcherEnv = baseEnv.extend({ HTTP_PORT: port(8082) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));

export type FetcherConfig = z.output<typeof fetcherEnv>;

export const loadFetcherConfig = (env: NodeJS.ProcessEnv = process.env): FetcherConfig => loadConfig({ service: 'fetcher', schema: fetcherEnv, env });
