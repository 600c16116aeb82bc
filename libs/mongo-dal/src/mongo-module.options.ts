import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';

/** How often and how patiently the module tries to reach MongoDB at start before the service gives up. */
export interface MongoConnectRetryOptions {
  /** Attempts before start fails; default 10. */
  maxAttempts?: number;
  /** Delay after the first failed attempt; doubles each time. Default 500 ms. */
  initialDelayMs?: number;
  /** Upper bound of the delay between attempts. Default 10 s. */
  maxDelayMs?: number;
}

export interface MongoModuleOptions {
  /** mongodb:// connection string; its password is never logged. */
  url: string;
  dbName: string;
  /** Shown in the server's logs and currentOp; e.g. `mailbus-fetcher`. */
  appName?: string;
  /** TCP connect timeout per attempt; default 10 s. */
  connectTimeoutMs?: number;
  /** How long one connect attempt (and, later, any operation) waits for a usable server; default 3 s. */
  serverSelectionTimeoutMs?: number;
  connectRetry?: MongoConnectRetryOptions;
}

export interface MongoModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  // Method syntax on purpose: its parameters are checked bivariantly, so a factory with typed
  // parameters (config: FetcherConfig) => … is accepted without `any`.
  useFactory(...args: unknown[]): MongoModuleOptions | Promise<MongoModuleOptions>;
}
