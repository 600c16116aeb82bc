import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  port: number;
  /** Connections accepted so far: what the server side saw. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A TCP pass-through that holds every chunk for `oneWayMs` in each direction, so that a mail server on
 * loopback answers like one across a network (round trip 2 × oneWayMs), and counts the connections.
 * Order is kept; bandwidth is not limited. For benchmarks only: it buffers without backpressure.
 */
export async function startLatencyProxy({ targetPort, oneWayMs, host = '127.0.0.1' }: { targetPort: number; oneWayMs: number; host?: string }): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = connect({ host, port: targetPort });
    sockets.add(client).add(upstream);
    if (oneWayMs > 0) {
      delayed({ from: client, to: upstream, oneWayMs });
      delayed({ from: upstream, to: client, oneWayMs });
    } else client.pipe(upstream).pipe(client);
    // A side that ends cleanly (QUIT's +OK, then FIN) passes its end on through the delay queue like its data.
    for (const [socket, other] of [[client, upstream], [upstream, client]] as const) {
      socket.on('error', () => other.destroy()).on('close', (hadError: boolean) => {
        sockets.delete(socket);
        if (hadError) other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
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
