import { z } from 'zod';
import { baseEnv, loadConfig, port, positiveInt, secretBoxFromEnv, secretKeyEnv, toBaseConfig } from '@mailbus/config';
import { MAX_SLOT_LEASE_MS } from '@mailbus/nats-transport';

/** Account leases and host slots share FETCH_LEASE_MS; their KV buckets keep a lease at most this long. */
export const MAX_FETCH_LEASE_MS = MAX_SLOT_LEASE_MS;

const fetcherEnv = baseEnv
  .extend({
    HTTP_PORT: port(8082),
    ...secretKeyEnv,
    /** Accounts this replica works on at the same time. */
    FETCH_CONCURRENCY: positiveInt(8),
    /** A run stores at most this many messages per account, then requeues, so one backlog cannot starve the others. */
    FETCH_MAX_MESSAGES_PER_RUN: positiveInt(500),
    /** Upper bound for connecting and for each command to a mail server. */
    MAIL_TIMEOUT_MS: positiveInt(30_000),
    /** How often the scheduler looks for due accounts. */
    SCHEDULER_TICK_MS: positiveInt(1_000),
    /** Concurrent connections to one mail server host, across all replicas (providers limit per client IP). */
    FETCH_HOST_CONNECTION_CAP: positiveInt(3),
    /** An account lease lives this long without renewal; a dead replica's accounts move on after it. */
    FETCH_LEASE_MS: z.coerce
      .number({ invalid_type_error: 'must be a number of milliseconds' })
      .int()
      .min(1_000, 'must be at least 1000 ms')
      .max(MAX_FETCH_LEASE_MS, `must be at most ${MAX_FETCH_LEASE_MS} ms`)
      .default(30_000),
    /**
     * Rule 32: an account whose logins fail with AUTH for this long without a success in between is
     * disabled until it is updated or passes a connection test. Fractions allowed (tests use tiny
     * values); 0 never disables.
     */
    FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS: z.coerce.number({ invalid_type_error: 'must be a number of hours' }).min(0, 'must be 0 (never) or more hours').default(72),
    /** INBOXes this replica keeps open in IDLE, so new mail is fetched within a second; 0 turns IDLE off. */
    FETCH_IDLE_CONNECTIONS: z.coerce.number().int().min(0).max(10_000).default(50),
  })
  .transform((env, context) => ({
    ...toBaseConfig(env),
    httpPort: env.HTTP_PORT,
    secretBox: secretBoxFromEnv(env, context),
    fetch: {
      concurrency: env.FETCH_CONCURRENCY,
      maxMessagesPerRun: env.FETCH_MAX_MESSAGES_PER_RUN,
      mailTimeoutMs: env.MAIL_TIMEOUT_MS,
      tickMs: env.SCHEDULER_TICK_MS,
      leaseMs: env.FETCH_LEASE_MS,
      hostConnectionCap: env.FETCH_HOST_CONNECTION_CAP,
      idleConnections: env.FETCH_IDLE_CONNECTIONS,
      disableAfterAuthFailuresMs: env.FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS > 0 ? Math.round(env.FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS * 3_600_000) : undefined,
    },
  }));

export type FetcherConfig = z.output<typeof fetcherEnv>;
export type FetchSettings = FetcherConfig['fetch'];

export const loadFetcherConfig = (env: NodeJS.ProcessEnv = process.env): FetcherConfig => loadConfig({ service: 'fetcher', schema: fetcherEnv, env });
