import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceName } from '@mailbus/contracts';
import { startStack, type Stack, type StackOptions } from '@mailbus/testing';
import { startService, type LaunchedService } from '../service-launcher';

export interface ApiResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

export interface System {
  stack: Stack;
  apiUrl: string;
  tokens: { admin: string; app: string };
  /** Environment every service was started with (stack, tokens, secret key, database). */
  env: Record<string, string>;
  logDir: string;
  /** Calls the api with the admin token unless `token` is given (null: no Authorization header). */
  api<Body = unknown>(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<Body>>;
  /** SIGKILLs a service (no shutdown hooks run) and starts it again: a crash and a restart. */
  crashAndRestart(service: ServiceName): Promise<void>;
  /** Stops one service and starts it again with extra environment (e.g. a rotated key). */
  restart(service: ServiceName, env?: Record<string, string>): Promise<void>;
  /** Starts another replica of a service (its log is `<service>-<n>.log`); returns its HTTP port. */
  addReplica(service: ServiceName, env?: Record<string, string>): Promise<number>;
  /** The HTTP port (health, metrics) of a running service. */
  port(service: ServiceName): number;
  /** The process id of a running service (for /proc figures such as peak memory in benchmarks). */
  pid(service: ServiceName): number | undefined;
  /** Every service log of this run, concatenated. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
export const randomSecretKey = (): string => randomBytes(32).toString('base64');

/**
 * The real thing for end-to-end tests: the stack (NATS, FerretDB, optionally Dovecot and the SMTP
 * sink) and the compiled services as child processes, each with its JSON log in `logDir`.
 */
export async function startSystem({ services, env: extraEnv = {}, stack: stackOptions = {} }: { services: ServiceName[]; env?: Record<string, string>; stack?: StackOptions }): Promise<System> {
  // MAILBUS_KEEP_STACK=1 keeps the temp dir (service logs, data) after the run for debugging.
  const stack = await startStack({ keepDir: process.env.MAILBUS_KEEP_STACK === '1', ...stackOptions });
  const tokens = { admin: `admin-${randomBytes(12).toString('hex')}`, app: `app-${randomBytes(12).toString('hex')}` };
  const env: Record<string, string> = {
    ...stack.env,
    // A database of its own, so that runs against a shared MONGODB_URL never see each other's data.
    MONGODB_DB: `e2e_${randomBytes(6).toString('hex')}`,
    MAILBUS_ENV: 'development',
    MAILBUS_API_TOKENS: `admin:${tokens.admin},app:${tokens.app}`,
    MAILBUS_SECRET_KEY: randomSecretKey(),
    LOG_LEVEL: 'debug',
    ...(stack.dovecot ? { NODE_EXTRA_CA_CERTS: stack.dovecot.certFile } : {}),
    ...extraEnv,
  };
  const logDir = join(stack.dir, 'logs');
  const launched = new Map<ServiceName, LaunchedService>();
  const start = async (service: ServiceName, serviceEnv: Record<string, string>, port?: number): Promise<void> => {
    launched.set(service, await startService({ service, env: serviceEnv, logDir, ...(port !== undefined ? { port } : {}), timeoutMs: READY_TIMEOUT_MS }));
  };
  const stopServices = () => Promise.all([...launched.values()].map(({ process }) => process.stop({ graceMs: 10_000 })));
  try {
    await Promise.all(services.map((service) => start(service, env)));
  } catch (error) {
    await stopServices();
    await stack.stop();
    throw error;
  }
  let replicas = 1;
  const apiPort = launched.get('api')?.port;
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  return {
    stack,
    apiUrl,
    tokens,
    env,
    logDir,
    async api<Body>(method: string, path: string, { body, token = tokens.admin, headers: extra = {} }: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<ApiResponse<Body>> {
      const headers: Record<string, string> = { ...extra };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(90_000) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Body, headers: response.headers };
    },
    async crashAndRestart(service) {
      const running = launched.get(service);
      if (running?.process.pid) process.kill(running.process.pid, 'SIGKILL');
      await running?.process.exited;
      await start(service, env, running?.port);
    },
    async restart(service, restartEnv = {}) {
      const running = launched.get(service);
      await running?.process.stop({ graceMs: 10_000 });
      await start(service, { ...env, ...restartEnv }, running?.port);
    },
    async addReplica(service, replicaEnv = {}) {
      replicas += 1;
      const running = await startService({ service, env: { ...env, ...replicaEnv }, logDir, name: `${service}-${replicas}`, timeoutMs: READY_TIMEOUT_MS });
      launched.set(`${service}-${replicas}` as ServiceName, running);
      return running.port;
    },
    port(service) {
      const running = launched.get(service);
      if (!running) throw new Error(`${service} is not part of this system`);
      return running.port;
    },
    pid(service) {
      return launched.get(service)?.process.pid;
    },
    async logs() {
      const files = await readdir(logDir);
      const contents = await Promise.all(files.map((file) => readFile(join(logDir, file), 'utf8')));
      return contents.join('\n');
    },
    async stop() {
      await stopServices();
      await stack.stop();
    },
  };
}
