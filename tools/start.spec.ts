import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, freePort } from '@mailbus/testing';

const startScript = resolve(__dirname, '..', 'dist', 'tools', 'start.js');

interface ReadyLine {
  apiUrl: string;
  devToken: string;
  stackDir: string;
  readyAfterStackMs: number;
  services: { service: string; port: number; pid: number }[];
}

function waitForReadyLine(child: ChildProcess, output: string[]): Promise<ReadyLine> {
  return new Promise((resolveReady, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      output.push(chunk.toString());
      const match = /^mailbus-ready (.+)$/m.exec(buffer);
      if (match?.[1]) resolveReady(JSON.parse(match[1]) as ReadyLine);
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before ready:\n${output.join('')}`)));
  });
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('should bring all six services to ready within 60 s of the stack and stop everything on %s', async (signal) => {
    expect(existsSync(startScript), 'dist/ is missing: run the tests with npm test, which builds first').toBe(true);
    const apiPort = await freePort();
    const output: string[] = [];
    const env: NodeJS.ProcessEnv = { ...process.env, API_PORT: String(apiPort), LOG_LEVEL: 'warn' };
    delete env.NATS_URL;
    delete env.MONGODB_URL;
    child = spawn(process.execPath, [startScript], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await waitForReadyLine(child, output);

    expect(ready.readyAfterStackMs).toBeLessThan(60_000);
    expect(ready.services.map(({ service }) => service).sort()).toEqual(['account-registry', 'api', 'fetcher', 'message-router', 'smtp-sender', 'spam-feedback']);
    for (const { port } of ready.services) {
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');
      expect(metrics).toContain('mailbus_events_handled_total');
    }
    // The api reaches every other service over NATS request/reply.
    const refused = await fetch(`${ready.apiUrl}/v1/status`);
    expect(refused.status, 'the api must refuse requests without a token').toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="mailbus"');
    const status = (await (await fetch(`${ready.apiUrl}/v1/status`, { headers: { authorization: `Bearer ${ready.devToken}` } })).json()) as { ready: boolean; services: { service: string; ready: boolean }[] };
    expect(status.services.filter((entry) => entry.ready)).toHaveLength(5);
    expect(status.ready).toBe(true);
    const openApi = (await (await fetch(`${ready.apiUrl}/docs-json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openApi.paths).toHaveProperty('/v1/status');

    const exited = new Promise<number | null>((resolveExit) => child?.once('exit', (code) => resolveExit(code)));
    child.kill(signal);
    expect(await exited).toBe(0);
    for (const { service, pid, port } of ready.services) {
      expect(isAlive(pid), `${service} (pid ${pid}) still running`).toBe(false);
      expect(await canConnect('127.0.0.1', port), `${service} port ${port} still open`).toBe(false);
    }
    expect(existsSync(ready.stackDir), 'stack temp dir left behind').toBe(false);
  }, 180_000);
});
