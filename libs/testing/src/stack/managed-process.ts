import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';

/** A child process of the local stack: output goes to a log file, stop() sends SIGTERM, then SIGKILL. */
export class ManagedProcess {
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start({ name, command, args, logFile, env, cwd }: { name: string; command: string; args: string[]; logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
    const log = createWriteStream(logFile, { flags: 'a' });
    // detached: a Ctrl-C in the terminal reaches only our supervisor, which then stops children in order.
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new ManagedProcess(name, child, logFile);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForPort({ port, host = '127.0.0.1', timeoutMs = 30_000 }: { port: number; host?: string; timeoutMs?: number }): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before listening on ${host}:${port}; see ${this.logFile}`);
      if (await canConnect(host, port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} did not listen on ${host}:${port} within ${timeoutMs} ms; see ${this.logFile}`);
  }

  async stop({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
