import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Pop3Reply {
  ok: boolean;
  /** The status line without +OK / -ERR. */
  text: string;
  /** For multi-line replies: the body with dot-stuffing removed, CRLF line endings kept. */
  body?: Buffer;
}

const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('\r\n.\r\n');

/**
 * A minimal POP3 exchange for tests of the test stack itself (greeting, commands, STLS, multi-line
 * replies). Deliberately not a client: the product has its own POP3 client, tested separately.
 */
export class Pop3Exchange {
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  /** Connects (implicit TLS when `tls` has implicit: true) and reads the greeting. */
  static async open({ host, port, tls }: { host: string; port: number; tls?: { ca: string; implicit: boolean } }): Promise<{ exchange: Pop3Exchange; greeting: Pop3Reply }> {
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const opened = tls?.implicit ? tlsConnect({ host, port, ca: tls.ca, servername: 'localhost' }, () => resolve(opened)) : netConnect({ host, port }, () => resolve(opened));
      opened.once('error', reject);
    });
    const exchange = new Pop3Exchange(socket);
    return { exchange, greeting: await exchange.readReply({ multiline: false }) };
  }

  get encrypted(): boolean {
    return 'encrypted' in this.socket && this.socket.encrypted === true;
  }

  async command(line: string, { multiline = false }: { multiline?: boolean } = {}): Promise<Pop3Reply> {
    this.socket.write(`${line}\r\n`);
    return this.readReply({ multiline });
  }

  /** STLS, then a TLS handshake on the same connection, verified against `ca` as localhost. */
  async startTls({ ca }: { ca: string }): Promise<Pop3Reply> {
    const reply = await this.command('STLS');
    if (!reply.ok) return reply;
    const plain = this.socket;
    plain.removeAllListeners('data');
    this.socket = await new Promise<TLSSocket>((resolve, reject) => {
      const secured = tlsConnect({ socket: plain, ca, servername: 'localhost' }, () => resolve(secured));
      secured.once('error', reject);
    });
    this.attach(this.socket);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', (error) => {
      this.failure = error;
      this.wake?.();
    });
  }

  private async readReply({ multiline }: { multiline: boolean }): Promise<Pop3Reply> {
    for (;;) {
      if (this.failure) throw this.failure;
      const lineEnd = this.buffer.indexOf(CRLF);
      if (lineEnd >= 0) {
        const status = this.buffer.subarray(0, lineEnd).toString('latin1');
        const ok = status.startsWith('+OK');
        const text = status.replace(/^(\+OK|-ERR) ?/, '');
        if (!multiline || !ok) {
          this.buffer = this.buffer.subarray(lineEnd + 2);
          return { ok, text };
        }
        // The CRLF of the status line counts, so an empty body ends at once with ".\r\n".
        const end = this.buffer.indexOf(TERMINATOR, lineEnd);
        if (end >= 0) {
          const stuffed = this.buffer.subarray(lineEnd + 2, end + 2).toString('latin1');
          this.buffer = this.buffer.subarray(end + TERMINATOR.length);
          return { ok, text, body: Buffer.from(stuffed.replace(/^\./gm, ''), 'latin1') };
        }
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
