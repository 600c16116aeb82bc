import { z } from 'zod';
import { baseEnv, loadConfig, port, toBaseConfig } from '@mailbus/config';

const messageRouterEnv = baseEnv.extend({ HTTP_PORT: port(8083) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));

export type MessageRouterConfig = z.output<typeof messageRouterEnv>;

export const loadMessageRouterConfig = (env: NodeJS.ProcessEnv = process.env): MessageRouterConfig => loadConfig({ service: 'message-router', schema: messageRouterEnv, env });
