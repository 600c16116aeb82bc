import type { ManagedProcess } from './managed-process';

/**
 * A server of the stack that a test may crash or stop and start again on the same port and data, as a
 * restart in production would: clients see a disconnect, then the same server with what it had stored.
 */
export class RestartableProcess {
  constructor(
    private current: ManagedProcess,
    readonly port: number,
    private readonly launch: (port: number) => ManagedProcess,
  ) {}

  get pid(): number | undefined {
    return this.current.pid;
  }

  get running(): boolean {
    return this.current.running;
  }

  /** SIGKILL: no shutdown of its own, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    await this.current.kill();
  }

  /** SIGTERM, then SIGKILL after the grace. */
  async stop(options?: { graceMs?: number }): Promise<void> {
    await this.current.stop(options);
  }

  /** Starts it again on its port and waits until it listens. */
  async start(): Promise<void> {
    if (this.current.running) throw new Error(`${this.current.name} is still running`);
    const next = this.launch(this.port);
    this.current = next;
    await next.waitForPort({ port: this.port });
  }
}
