import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { RestartableProcess } from './restartable-process';
import { ensureAptPackages, findExecutable } from './tools.util';

export interface RunningNats {
  url: string;
  port: number;
  /** kill() and start() crash and restart it on the same port and store: streams, consumers and KV survive. */
  process: RestartableProcess;
}

async function natsServerBinary(log: (line: string) => void): Promise<string> {
  const candidates = [process.env.NATS_SERVER_BIN ?? '', '/usr/sbin/nats-server', '/usr/bin/nats-server'].filter(Boolean);
  const found = await findExecutable('nats-server', candidates);
  if (found) return found;
  await ensureAptPackages({ packages: ['nats-server'], log });
  const installed = await findExecutable('nats-server', candidates);
  if (!installed) throw new Error('nats-server not found after installing the Debian package nats-server');
  return installed;
}

/** A private nats-server with JetStream on a free loopback port, its store in `dir`. */
export async function startNats({ dir, log }: { dir: string; log: (line: string) => void }): Promise<RunningNats> {
  const binary = await natsServerBinary(log);
  const storeDir = join(dir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const launch = (port: number): ManagedProcess =>
    ManagedProcess.start({ name: 'nats-server', command: binary, args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], logFile: join(dir, 'nats.log') });
  const { process, port } = await ManagedProcess.startOnFreePort({ start: launch, log });
  return { url: `nats://127.0.0.1:${port}`, port, process: new RestartableProcess(process, port, launch) };
}
