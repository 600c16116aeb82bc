import { mkdir } from 'node:fs/promises';
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

/** Polls /health/ready until it answers 200; fails early if the process exits. */
export async function waitUntilReady({ launched, timeoutMs }: { launched: LaunchedService; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!launched.process.running) throw new Error(`${launched.service} exited during start; see ${launched.process.logFile}`);
    try {
      const response = await fetch(`http://127.0.0.1:${launched.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${launched.service} not ready within ${timeoutMs} ms (${last}); see ${launched.process.logFile}`);
}
