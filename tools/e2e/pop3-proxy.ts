import { connect, createServer, type Server, type Socket } from 'node:net';

/** How the proxy makes the server misbehave; changed on the fly through `Pop3Proxy.rules`. */
export interface Pop3ProxyRules {
  /** Drops the connection when the server sends this (a marker in one message's body: the server hangs up during its RETR). */
  cutOnServerText?: string;
  /** Drops the connection when the client sends this command (e.g. `LIST`: a failure after the login, outside RETR). */
  cutOnCommand?: string;
  /** A line added to the server's CAPA listing (e.g. `LOGIN-DELAY 900`, which Dovecot does not announce). */
  addCapability?: string;
}

export interface Pop3Proxy {
  port: number;
  rules: Pop3ProxyRules;
  /** Connections the proxy dropped on a rule. */
  readonly cuts: number;
  /** When each login was sent (PASS), in order. */
  readonly logins: readonly number[];
  close(): Promise<void>;
}

/**
 * A plaintext pass-through in front of Dovecot's POP3 port (security `none`) that breaks the session
 * the way some servers do. It reads the client's commands line by line, and holds back the answer to
 * CAPA until it is whole, so that a rule never depends on how TCP cut the stream into chunks.
 */
export async function startPop3Proxy({ targetPort, rules = {} }: { targetPort: number; rules?: Pop3ProxyRules }): Promise<Pop3Proxy> {
  const proxy = { rules, cuts: 0, logins: [] as number[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const cut = (): void => {
      proxy.cuts += 1;
      drop();
    };
    let commands = '';
    let capaPending = 0;
    let capaAnswer = '';
    // The end of the previous chunk too: the marker may straddle two.
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      commands += chunk.toString('latin1');
      const lines = commands.split('\r\n');
      commands = lines.pop()!;
      for (const line of lines) {
        const command = line.split(' ')[0]!.toUpperCase();
        if (proxy.rules.cutOnCommand && command === proxy.rules.cutOnCommand.toUpperCase()) return cut();
        if (command === 'PASS') proxy.logins.push(Date.now());
        if (command === 'CAPA') capaPending += 1;
        upstream.write(`${line}\r\n`, 'latin1');
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      let text = chunk.toString('latin1');
      if (capaPending > 0 && proxy.rules.addCapability) {
        capaAnswer += text;
        const end = capaAnswer.indexOf('\r\n.\r\n');
        if (end === -1 && !capaAnswer.startsWith('-ERR')) return;
        capaPending -= 1;
        text = end === -1 ? capaAnswer : `${capaAnswer.slice(0, end)}\r\n${proxy.rules.addCapability}${capaAnswer.slice(end)}`;
        capaAnswer = '';
      } else if (capaPending > 0 && text.includes('\r\n.\r\n')) capaPending -= 1;
      const marker = proxy.rules.cutOnServerText;
      if (marker && (tail + text).includes(marker)) return cut();
      tail = marker ? (tail + text).slice(-marker.length) : '';
      client.write(Buffer.from(text, 'latin1'));
    });
    for (const socket of [client, upstream]) socket.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    get rules() {
      return proxy.rules;
    },
    set rules(next: Pop3ProxyRules) {
      proxy.rules = next;
    },
    get cuts() {
      return proxy.cuts;
    },
    get logins() {
      return proxy.logins;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
