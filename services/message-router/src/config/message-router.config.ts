import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, toBaseConfig } from '@mailbus/config';

const messageRouterEnv = baseEnv
  .extend({
    HTTP_PORT: port(8083),
    /** A message whose parse takes longer is quarantined (kept raw, delivered with parseError), so one hostile message cannot hold a consumer. */
    ROUTER_PARSE_TIMEOUT_MS: positiveInt(30_000),
    /** Text and HTML bodies are cut at this many characters (flagged truncated); the raw source keeps everything. */
    ROUTER_MAX_BODY_CHARS: positiveInt(2_000_000),
  })
  .transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT, routing: { parseTimeoutMs: env.ROUTER_PARSE_TIMEOUT_MS, maxBodyChars: env.ROUTER_MAX_BODY_CHARS } }));

export type MessageRouterConfig = z.output<typeof messageRouterEnv>;

export const loadMessageRouterConfig = (env: NodeJS.ProcessEnv = process.env): MessageRouterConfig => loadConfig({ service: 'message-router', schema: messageRouterEnv, env });
