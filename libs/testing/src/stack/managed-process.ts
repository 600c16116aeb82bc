import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free-port.util';

/** How often a process that dies at start is started again on another port. */
const START_ATTEMPTS = 3;
/** What an error about a process's death quotes of its output. */
const TAIL_CHARS = 600;

/** The process exited before it listened: most often another process took its free port first. */
export class ExitedAtStartError extends Error {
  constructor(
    readonly processName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Launches a server on ports found free, again with new ports (3 times at most) while it exits at start:
 * another process may take a port between our probe and the server's bind (parallel test workers all
 * start stacks at once). `launch` stops what it started before it throws.
 */
export async function launchOnFreePorts<T>({ launch, log }: { launch: () => Promise<T>; log: (line: string) => void }): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch();
    } catch (error) {
      if (!(error instanceof ExitedAtStartError) || attempt >= START_ATTEMPTS) throw error;
      log(`${error.processName} did not start (${error.message}); retrying on another port`);
    }
  }
}

/** A child process of the local stack: output goes to a log file, stop() sends SIGTERM, then SIGKILL. */
export class ManagedProcess {
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /** Resolves when, after the exit, its output has been read to the end. */
  private readonly closed: Promise<void>;
  /** The end of its output, kept for an error message: the log file goes with the test's temp dir. */
  private tail = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    for (const output of [child.stdout, child.stderr]) output?.on('data', (chunk: Buffer) => (this.tail = (this.tail + chunk.toString()).slice(-TAIL_CHARS)));
  }

  static start({ name, command, args, logFile, env, cwd }: { name: string; command: string; args: string[]; logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
    const log = createWriteStream(logFile, { flags: 'a' });
    // detached: a Ctrl-C in the terminal reaches only our supervisor, which then stops children in order.
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new ManagedProcess(name, child, logFile);
  }

  /** Starts the process on a free loopback port and waits until it listens (see launchOnFreePorts). */
  static startOnFreePort({ start, log }: { start: (port: number) => ManagedProcess; log: (line: string) => void }): Promise<{ process: ManagedProcess; port: number }> {
    return launchOnFreePorts({
      log,
      launch: async () => {
        const port = await freePort();
        const process = start(port);
        try {
          await process.waitForPort({ port });
          return { process, port };
        } catch (error) {
          await process.stop();
          throw error;
        }
      },
    });
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
      if (!this.running) {
        await this.closed;
        throw new ExitedAtStartError(this.name, `${this.name} exited before listening on ${host}:${port}; it wrote last: ${this.tail.trim().replace(/\s*\n\s*/g, ' | ') || '(nothing)'}`);
      }
      if (await canConnect(host, port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} did not listen on ${host}:${port} within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** SIGKILL, and waits until it has exited. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
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
