import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  port: number;
  /** Connections open right now and the most that were ever open at once. */
  readonly open: number;
  readonly peak: number;
  readonly total: number;
  /** Drops every open connection, as a server does that closes idle ones; new ones are taken as before. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through in front of a mail server that counts concurrent connections: what the server
 * side sees, without touching the protocol (TLS goes through untouched). With `oneWayMs` it holds every
 * chunk that long in each direction, so that a server on loopback answers like one across a network
 * (round trip 2 × oneWayMs; order kept, bandwidth not limited, no backpressure: for benchmarks).
 */
export async function startCountingProxy({ targetPort, host = '127.0.0.1', oneWayMs = 0 }: { targetPort: number; host?: string; oneWayMs?: number }): Promise<CountingProxy> {
  let open = 0;
  let peak = 0;
  let total = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    open += 1;
    total += 1;
    peak = Math.max(peak, open);
    const upstream = connect({ host, port: targetPort });
    sockets.add(client).add(upstream);
    let counted = true;
    // Counted as closed at the first sign from either side: a FIN ('end') is read before a connection
    // accepted after it, while 'close' comes a loop turn later and would count an old and a new one at once.
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      open -= 1;
    };
    const close = (): void => {
      uncount();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    if (oneWayMs > 0) {
      // A side that ends cleanly (QUIT's +OK, then FIN) passes its end on through the delay like its data.
      delayed({ from: client, to: upstream, oneWayMs });
      delayed({ from: upstream, to: client, oneWayMs });
      for (const socket of [client, upstream]) socket.on('end', uncount).on('error', close).on('close', (hadError: boolean) => (hadError ? close() : (uncount(), sockets.delete(socket))));
      return;
    }
    // pipe() ends the other side after what is in flight (a server's last reply before its FIN).
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) socket.on('end', uncount).on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    get open() {
      return open;
    },
    get peak() {
      return peak;
    },
    get total() {
      return total;
    },
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Forwards `from` to `to`, each chunk (and the end) `oneWayMs` after it arrived. */
function delayed({ from, to, oneWayMs }: { from: Socket; to: Socket; oneWayMs: number }): void {
  const queue: Array<{ due: number; chunk?: Buffer }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };
  const enqueue = (chunk?: Buffer): void => {
    queue.push({ due: performance.now() + oneWayMs, chunk });
    timer ??= setTimeout(flush, oneWayMs);
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.on('end', () => enqueue());
}
