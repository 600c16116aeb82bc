import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { ConfigError, type BaseConfig } from '@mailbus/config';
import type { ServiceName } from '@mailbus/contracts';
import { rpcConnectionOptions } from '@mailbus/nats-transport';
import { DrainingNatsServer } from './rpc/draining-nats.server';
import { withRpcDrainOnShutdown } from './rpc/rpc-drain-on-shutdown';

export interface BootstrapOptions<Config extends BaseConfig> {
  service: ServiceName;
  /** Reads and validates the environment; a ConfigError stops the process with one line. */
  loadConfig: () => Config;
  appModule: (config: Config) => DynamicModule;
  httpPort: (config: Config) => number;
  /** Hook for the api to mount OpenAPI and global pipes before it listens. */
  configure?: (app: INestApplication, config: Config) => void | Promise<void>;
}

/** Exit code for a configuration error (sysexits EX_CONFIG), distinct from a crash. */
const EXIT_CONFIG = 78;

/**
 * Starts a service: typed config, JSON logs, HTTP (health, metrics, api), NATS request/reply for
 * queries, and a graceful stop on SIGTERM/SIGINT that finishes or hands back in-flight work.
 */
export async function bootstrapService<Config extends BaseConfig>(options: BootstrapOptions<Config>): Promise<INestApplication> {
  let config: Config;
  try {
    config = options.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mailbus ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  // Core NATS request/reply for queries; a queue group spreads requests over replicas. On shutdown the
  // calls already taken are answered (within SHUTDOWN_GRACE_MS) before the connection closes.
  const rpcServer = new DrainingNatsServer({
    options: { ...rpcConnectionOptions({ servers: config.nats.url, name: `mailbus-${options.service}-rpc` }), queue: `mailbus-${options.service}` },
    graceMs: config.shutdownGraceMs,
  });
  const app = await NestFactory.create(withRpcDrainOnShutdown({ module: options.appModule(config), server: rpcServer }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  app.connectMicroservice({ strategy: rpcServer }, { inheritAppConfig: true });
  await options.configure?.(app, config);
  await app.startAllMicroservices();
  const port = options.httpPort(config);
  await app.listen(port, process.env.HTTP_HOST ?? '0.0.0.0');
  app.get(Logger).log({ msg: `${options.service} ready`, port, event: 'service.ready' });
  return app;
}
