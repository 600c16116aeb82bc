import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedProcess, freePort } from '@mailbus/testing';
import { PortTakenError, waitUntilReady, type LaunchedService } from './service-launcher';

/** A port held by another process that answers /health/ready like a mailbus service. */
async function impostor(port: number): Promise<Server> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', pid: 1 })));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe(waitUntilReady.name, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('should not take another process answering on the port for the service it launched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'launcher-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const server = await impostor(port);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const child = ManagedProcess.start({ name: 'idle', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: join(dir, 'idle.log') });
    cleanups.push(() => child.stop({ graceMs: 1_000 }));
    const launched: LaunchedService = { service: 'api', port, process: child };

    await expect(waitUntilReady({ launched, timeoutMs: 10_000 })).rejects.toBeInstanceOf(PortTakenError);
  });
});
