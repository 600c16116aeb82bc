import { z } from 'zod';

/** Building blocks for service env schemas, so every service spells shared variables the same way. */
export const port = (fallback: number) => z.coerce.number({ invalid_type_error: 'must be a port number' }).int().min(1, 'must be a port number between 1 and 65535').max(65535, 'must be a port number between 1 and 65535').default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const natsUrl = z
  .string({ required_error: 'is required (e.g. nats://127.0.0.1:4222)' })
  .min(1, 'is required (e.g. nats://127.0.0.1:4222)')
  .refine((value) => value.split(',').every((url) => /^(nats|tls|wss?):\/\/[^\s]+$/.test(url.trim())), 'must be a nats:// URL (comma-separated for a cluster)');

export const mongodbUrl = z
  .string({ required_error: 'is required (e.g. mongodb://127.0.0.1:27017)' })
  .min(1, 'is required (e.g. mongodb://127.0.0.1:27017)')
  .refine((value) => /^mongodb(\+srv)?:\/\/[^\s]+$/.test(value), 'must be a mongodb:// or mongodb+srv:// URL');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** The variables every mailbus service reads, mapped to a nested object. */
export const baseEnv = z.object({
  NATS_URL: natsUrl,
  MONGODB_URL: mongodbUrl,
  MONGODB_DB: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'may only contain letters, digits, _ and -').default('mailbus'),
  LOG_LEVEL: logLevel,
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
});

export interface BaseConfig {
  nats: { url: string };
  mongo: { url: string; dbName: string };
  log: { level: z.infer<typeof logLevel> };
  shutdownGraceMs: number;
}

export const toBaseConfig = (env: z.output<typeof baseEnv>): BaseConfig => ({
  nats: { url: env.NATS_URL },
  mongo: { url: env.MONGODB_URL, dbName: env.MONGODB_DB },
  log: { level: env.LOG_LEVEL },
  shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
});
