import type { Duplex } from 'node:stream';
import { MailConnectionError } from '../mail-connection.error';

/** Above this much unread data the socket is paused: a slow consumer of RETR never buffers a whole message. */
const HIGH_WATER_BYTES = 256 * 1024;
/** RFC 2449 §4 caps a status line at 512 octets; this leaves room for sloppy servers. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * The read side of a POP3 connection: status lines, or raw chunks for a multi-line body, with
 * backpressure and a timeout. The timeout only runs while we wait for the server, so it bounds every
 * command's answer without punishing a slow consumer of a RETR stream.
 */
export class Pop3LineReader {
  private buffer: Buffer = Buffer.alloc(0);
  private failure?: Error;
  private wake?: () => void;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > HIGH_WATER_BYTES) this.socket.pause();
    this.notify();
  };
  private readonly onError = (error: Error): void => void this.fail(error);
  private readonly onClose = (): void => void this.fail(new MailConnectionError({ errorClass: 'connect', message: 'the POP3 server closed the connection' }));

  constructor(
    private readonly socket: Duplex,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** The next line, terminator (LF or CRLF) included. */
  async readLine(): Promise<Buffer> {
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline !== -1) return this.take(newline + 1);
      if (this.buffer.length > MAX_LINE_BYTES) throw this.fail(new MailConnectionError({ errorClass: 'protocol', message: `the POP3 server sent a line longer than ${MAX_LINE_BYTES} bytes` }));
      await this.waitForData();
    }
  }

  /** Whatever has arrived (at least one byte), for the multi-line decoder. */
  async readChunk(): Promise<Buffer> {
    while (this.buffer.length === 0) await this.waitForData();
    return this.take(this.buffer.length);
  }

  /** Puts back bytes read too far (what followed a multi-line terminator). */
  unread(bytes: Buffer): void {
    if (bytes.length > 0) this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([bytes, this.buffer]);
  }

  /** The connection is unusable; commands fail with this. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Stops listening, e.g. before the socket is handed to TLS for STLS, and returns what was not read. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    const unread = this.buffer;
    this.buffer = Buffer.alloc(0);
    return unread;
  }

  private take(length: number): Buffer {
    const taken = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    if (this.buffer.length <= HIGH_WATER_BYTES && this.socket.isPaused()) this.socket.resume();
    return taken;
  }

  private async waitForData(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.socket.isPaused()) this.socket.resume();
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(() => {
          this.fail(new MailConnectionError({ errorClass: 'timeout', message: `no answer from the POP3 server within ${this.timeoutMs} ms` }));
          this.socket.destroy();
        }, this.timeoutMs);
      });
    } finally {
      clearTimeout(timer);
    }
    if (this.buffer.length === 0 && this.failure) throw this.failure;
  }

  private fail(error: Error): Error {
    this.failure ??= error;
    this.notify();
    return this.failure;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
