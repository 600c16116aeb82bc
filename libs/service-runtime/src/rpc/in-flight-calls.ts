/**
 * Counts the calls a server has taken and not yet answered, so that a shutdown can wait for them.
 * @example
 * const answered = calls.begin();
 * // … reply, then:
 * answered();
 * await calls.settled({ deadline: Date.now() + 20_000 }); // true once none is running
 */
export class InFlightCalls {
  #running = 0;
  readonly #waiters = new Set<() => void>();

  get running(): number {
    return this.#running;
  }

  /** Counts one call; the returned function ends it (calling it again does nothing). */
  begin(): () => void {
    this.#running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#running -= 1;
      if (this.#running === 0) this.#wakeWaiters();
    };
  }

  /** Resolves true when no call is running, or false at the deadline (epoch ms) if some still are. */
  settled({ deadline }: { deadline: number }): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.#waiters.add(done);
    });
  }

  #wakeWaiters(): void {
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }
}
