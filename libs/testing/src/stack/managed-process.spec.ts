import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitedAtStartError, ManagedProcess, canConnect } from './managed-process';

describe('ManagedProcess.startOnFreePort', () => {
  let dir: string;
  const started: ManagedProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'managed-process-'));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  const node = (name: string, script: string): ManagedProcess => {
    const process = ManagedProcess.start({ name, command: 'node', args: ['-e', script], logFile: join(dir, `${name}.log`) });
    started.push(process);
    return process;
  };
  // What a server does when another process took its port first: it says so and exits.
  const dying = (): ManagedProcess => node('server', "console.error('listen tcp: bind: address already in use'); process.exit(1)");
  const listening = (port: number): ManagedProcess => node('server', `require('node:net').createServer().listen(${port}, '127.0.0.1')`);

  it('should start the process again on another port when it exits before listening', async () => {
    const logged: string[] = [];
    let starts = 0;

    const { process, port } = await ManagedProcess.startOnFreePort({ start: (port) => ((starts += 1) === 1 ? dying() : listening(port)), log: (line) => logged.push(line) });

    expect(starts).toBe(2);
    expect(process.running).toBe(true);
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(logged).toEqual([expect.stringMatching(/^server did not start \(.*address already in use.*\); retrying on another port$/)]);
  });

  it('should give up after three starts with the end of the log in the error', async () => {
    let starts = 0;

    const failed = ManagedProcess.startOnFreePort({ start: () => ((starts += 1), dying()), log: () => undefined });

    await expect(failed).rejects.toThrow(ExitedAtStartError);
    await expect(failed).rejects.toThrow(/address already in use/);
    expect(starts).toBe(3);
  });
});
