import { MongoClient, MongoInvalidArgumentError, MongoParseError } from 'mongodb';
import type { MongoModuleOptions } from '../mongo-module.options';
import { backoffDelay } from './backoff-delay.util';
import { MongoConnectError } from './mongo-connect.error';
import { redactMongoUrl, scrubPassword } from './redact-mongo-url.util';

export interface ConnectLogger {
  log(message: string): void;
  warn(message: string): void;
}

// serverSelectionTimeoutMs is below the api's RPC timeout (5 s): a request made while the store is away
// hears "database unavailable" from the service instead of no answer at all. Operations that fail during
// an outage or a failover are retried by their callers (events within 5 s, fetch runs, the api's client).
const DEFAULTS = { maxAttempts: 10, initialDelayMs: 500, maxDelayMs: 10_000, connectTimeoutMs: 10_000, serverSelectionTimeoutMs: 3_000 };

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects a MongoClient, retrying with capped, jittered exponential backoff, because at a cold
 * start (compose, a rolling cluster) the database often comes up seconds after the services.
 * A malformed URL fails at once: waiting would not fix it. Every failed attempt is logged with its
 * reason; the URL's password appears neither in logs nor in the final error.
 */
export async function connectWithRetry({ options, logger, sleep = wait }: { options: MongoModuleOptions; logger: ConnectLogger; sleep?: (ms: number) => Promise<void> }): Promise<MongoClient> {
  const { maxAttempts, initialDelayMs, maxDelayMs } = { ...DEFAULTS, ...options.connectRetry };
  const target = redactMongoUrl(options.url);
  for (let attempt = 1; ; attempt++) {
    let client: MongoClient | undefined;
    try {
      client = new MongoClient(options.url, {
        appName: options.appName,
        connectTimeoutMS: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? DEFAULTS.serverSelectionTimeoutMs,
      });
      await client.connect();
      if (attempt > 1) logger.log(`connected to MongoDB at ${target} on attempt ${attempt}`);
      return client;
    } catch (error) {
      await client?.close().catch(() => undefined);
      const reason = scrubPassword({ text: error instanceof Error ? error.message : String(error), url: options.url });
      if (error instanceof MongoParseError || error instanceof MongoInvalidArgumentError) {
        throw new MongoConnectError(`invalid MongoDB connection string ${target}: ${reason}`);
      }
      if (attempt >= maxAttempts) {
        throw new MongoConnectError(`could not connect to MongoDB at ${target} after ${attempt} attempts: ${reason}`, { cause: error });
      }
      const delayMs = backoffDelay({ attempt, initialMs: initialDelayMs, maxMs: maxDelayMs });
      logger.warn(`MongoDB connection attempt ${attempt}/${maxAttempts} to ${target} failed: ${reason}; retrying in ${delayMs} ms`);
      await sleep(delayMs);
    }
  }
}
