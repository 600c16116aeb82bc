import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ManagedProcess, freePort } from '@mailbus/testing';
import type { ServiceName } from '@mailbus/contracts';

export interface LaunchedService {
  service: ServiceName;
  port: number;
  process: ManagedProcess;
}

/** dist/ of the workspace, whether this file runs compiled (dist/tools) or as source under vitest (tools/). */
const distDir = basename(resolve(__dirname, '..')) === 'dist' ? resolve(__dirname, '..') : resolve(__dirname, '..', 'dist');

/** The compiled entry point of a service (npm start and npm test build first). */
const entryPoint = (service: ServiceName): string => resolve(distDir, 'services', service, 'src', 'main.js');

/** Starts one service as a child process on its own port, its JSON log in `logDir`. */
export async function launchService({ service, env, logDir, port, name = service }: { service: ServiceName; env: Record<string, string>; logDir: string; port?: number; name?: string }): Promise<LaunchedService> {
  await mkdir(logDir, { recursive: true });
  const httpPort = port ?? (await freePort());
  const portVariable = service === 'api' ? 'API_PORT' : 'HTTP_PORT';
  const child = ManagedProcess.start({
    name,
    command: process.execPath,
    args: ['--enable-source-maps', entryPoint(service)],
    env: { ...process.env, ...env, [portVariable]: String(httpPort) },
    logFile: join(logDir, `${name}.log`),
  });
  return { service, port: httpPort, process: child };
}

/** Another process answers on the port the service was given (freePort's port went to someone else first). */
export class PortTakenError extends Error {}

/** Polls /health/ready until the service itself answers 200; fails early if the process exits. */
export async function waitUntilReady({ launched, timeoutMs }: { launched: LaunchedService; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!launched.process.running) {
      const log = await readFile(launched.process.logFile, 'utf8').catch(() => '');
      if (log.includes('EADDRINUSE')) throw new PortTakenError(`${launched.service}: port ${launched.port} was taken before it could listen`);
      throw new Error(`${launched.service} exited during start; see ${launched.process.logFile}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${launched.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json().catch(() => ({}))) as { pid?: number };
      if (body.pid !== undefined && body.pid !== launched.process.pid) throw new PortTakenError(`${launched.service}: port ${launched.port} is answered by another process (pid ${body.pid})`);
      if (response.ok) return;
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      if (error instanceof PortTakenError) throw error;
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${launched.service} not ready within ${timeoutMs} ms (${last}); see ${launched.process.logFile}`);
}

/**
 * Launches a service and waits until it is ready. A free port is only free until someone binds it:
 * when another process got it first (parallel test files ask the kernel at the same time), the service
 * is started again on a new one. A port given by the caller is not changed.
 */
export async function startService({ timeoutMs, ...options }: Parameters<typeof launchService>[0] & { timeoutMs: number }): Promise<LaunchedService> {
  for (let attempt = 1; ; attempt++) {
    const launched = await launchService(options);
    try {
      await waitUntilReady({ launched, timeoutMs });
      return launched;
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt >= 3) {
        await launched.process.stop({ graceMs: 5_000 });
        throw error;
      }
      await launched.process.stop({ graceMs: 5_000 });
    }
  }
}
