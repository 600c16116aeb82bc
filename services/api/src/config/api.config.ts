import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, toBaseConfig } from '@mailbus/config';
import { parseApiTokens } from '../auth/api-tokens.util';

const apiEnv = baseEnv
  .extend({
    API_PORT: port(8080),
    /** Upper bound for a request/reply call to another service before the api answers 503. */
    RPC_TIMEOUT_MS: positiveInt(5_000),
    /**
     * Fails closed: an api started without MAILBUS_ENV is production and needs tokens. npm start and
     * the e2e system set development explicitly, so only a deliberate choice gets a generated token.
     */
    MAILBUS_ENV: z.enum(['development', 'production'], { message: 'must be development or production' }).default('production'),
    /** `role:token` pairs (auth/api-tokens.util.ts); sensitive: never logged, errors name positions only. */
    MAILBUS_API_TOKENS: z.string().optional(),
  })
  .transform((env, context) => {
    const { tokens, problems } = parseApiTokens(env.MAILBUS_API_TOKENS ?? '');
    for (const problem of problems) context.addIssue({ code: z.ZodIssueCode.custom, path: ['MAILBUS_API_TOKENS'], message: problem });
    if (problems.length > 0) return z.NEVER;
    if (tokens.length === 0 && env.MAILBUS_ENV === 'production') {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['MAILBUS_API_TOKENS'], message: 'is required in production (role:token pairs, e.g. admin:<token>,app:<token>)' });
      return z.NEVER;
    }
    // Development without tokens: one random admin token, printed once at start (see main.ts).
    const generated = tokens.length === 0 ? { role: 'admin' as const, token: randomBytes(18).toString('base64url') } : undefined;
    return { ...toBaseConfig(env), httpPort: env.API_PORT, rpcTimeoutMs: env.RPC_TIMEOUT_MS, environment: env.MAILBUS_ENV, apiTokens: generated ? [generated] : tokens, generatedToken: generated?.token };
  });

export type ApiConfig = z.output<typeof apiEnv>;

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => loadConfig({ service: 'api', schema: apiEnv, env });
