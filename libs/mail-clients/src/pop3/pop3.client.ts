/**
 * A small POP3 client (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH PLAIN).
 *
 * Written here because npm has no maintained client that does what the fetcher needs: node-pop3 hands
 * out a RETR stream but does not unstuff dots, finds the terminator only when `.CRLF` ends a TCP
 * chunk, ignores backpressure and has no STLS; poplib and yapople buffer whole messages and are
 * unmaintained. Mail must stream (a 50 MB message must not live in memory), STARTTLS must be
 * enforced, and every command needs a timeout.
 *
 * One command runs at a time; calls made while another runs (or while a RETR stream is being read)
 * queue behind it. retrMany and deleMany pipeline their commands where the server allows it.
 */
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { resolvePort, type ConnectionErrorClass, type MailSecurity } from '@mailbus/mail-protocol';
import { MailConnectionError } from '../mail-connection.error';
import { DEFAULT_MAIL_TIMEOUT_MS, type MailClientOptions } from '../mail-server-settings';
import { chooseLogin, hasCapability } from './pop3-capabilities.util';
import { Pop3DotUnstuffer } from './pop3-dot-unstuffer';
import { Pop3LineReader } from './pop3-line-reader';
import { Pop3ResponseError } from './pop3-response.error';
import { isTemporaryLoginRefusal, parseListLine, parseStat, parseStatusLine, parseUidlLine, splitLines } from './pop3-response.util';
import { openPop3Socket, upgradeToTls } from './pop3-socket.util';
import { Pop3UnsupportedError } from './pop3-unsupported.error';

export interface Pop3ConnectOptions extends MailClientOptions {
  host: string;
  /** 0: 995 for tls, 110 otherwise. */
  port: number;
  security: MailSecurity;
  /** Aborting destroys the connection, also while connecting. */
  signal?: AbortSignal;
  /** false: one command at a time even where the server announces PIPELINING (RFC 2449 §6.6). */
  pipelining?: boolean;
}

export interface Pop3MessageInfo {
  number: number;
  size: number;
}

export interface Pop3UidInfo {
  number: number;
  uid: string;
}

export interface Pop3Stat {
  count: number;
  size: number;
}

/** CAPA, LIST and UIDL answers are collected in memory; beyond this the server is not a mailbox we can handle. */
const MAX_LISTING_BYTES = 32 * 1024 * 1024;
/** A header block (TOP n 0) larger than this is not mail we can key or date; RFC 5322 lines are ≤ 998 octets. */
const MAX_TOP_BYTES = 4 * 1024 * 1024;
/** retrMany holds messages whole; one larger than this (a server whose LIST lied) is refused. Stream those with retr(). */
const MAX_HELD_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Commands sent ahead of their answers at most; a few KB of commands, so the socket never backs up. */
const PIPELINE_WINDOW = 100;

export class Pop3Client {
  /** Commands run one at a time; a RETR stream holds its turn until it has been read to the end. */
  private queue: Promise<void> = Promise.resolve();
  private capabilityCache?: string[];
  private readonly timeoutMs: number;
  private brokenBy?: Error;
  private closedByCaller = false;
  private readonly onAbort = (): void => this.close();

  private constructor(
    private socket: Socket | TLSSocket,
    private reader: Pop3LineReader,
    private readonly options: Pop3ConnectOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS;
    if (options.signal?.aborted) socket.destroy();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Connects, reads the greeting and, for `starttls`, upgrades with STLS before anything else; when
   * the server cannot do STLS it fails with a `tls` error instead of going on in plaintext.
   * @example
   * const client = await Pop3Client.connect({ host: 'pop.example.com', port: 0, security: 'tls' });
   * await client.login({ username, password });
   */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_TIMEOUT_MS;
    const port = resolvePort({ protocol: 'pop3', security: options.security, port: options.port });
    const socket = await openPop3Socket({ host: options.host, port, security: options.security, tls: options.tls, timeoutMs, signal: options.signal });
    const client = new Pop3Client(socket, new Pop3LineReader(socket, timeoutMs), options);
    try {
      await client.readStatus({ command: 'greeting' });
      if (options.security === 'starttls') await client.startTls();
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /**
   * Why the session broke by itself: the server hung up, reset the connection, stopped answering, or
   * sent an answer the client cannot follow (a malformed one, a message larger than retrMany holds).
   * Undefined while the session works, and when the caller closed it (close(), the abort signal, or a
   * retr() stream destroyed by its reader): that is no fault of the server's.
   */
  get failure(): Error | undefined {
    return this.brokenBy;
  }

  /** The server's CAPA listing (RFC 2449), empty for an RFC 1939 server without CAPA. */
  capabilities(): Promise<string[]> {
    return this.exclusive(async () => {
      if (this.capabilityCache) return this.capabilityCache;
      try {
        this.capabilityCache = await this.multiline({ command: 'CAPA' });
      } catch (error) {
        if (!(error instanceof Pop3ResponseError)) throw error;
        this.capabilityCache = [];
      }
      return this.capabilityCache;
    });
  }

  /**
   * USER/PASS, or AUTH PLAIN where the server offers only SASL (see chooseLogin); `method` overrides
   * the choice. A refused login is a Pop3ResponseError of class `auth`.
   */
  async login({ username, password, method }: { username: string; password: string; method?: 'user-pass' | 'sasl-plain' }): Promise<void> {
    const chosen = method ?? chooseLogin(await this.capabilities());
    await this.exclusive(async () => {
      try {
        await this.sendLogin({ chosen, username, password });
      } catch (error) {
        // RFC 2449/3206: "another session holds the mailbox", "too soon", "try later" are no verdict on the password.
        if (error instanceof Pop3ResponseError && isTemporaryLoginRefusal(error.response)) throw new Pop3ResponseError({ command: error.command, response: error.response, errorClass: 'connect' });
        throw error;
      }
      this.capabilityCache = undefined; // capabilities may change after login (RFC 2449 §6)
    });
  }

  private async sendLogin({ chosen, username, password }: { chosen: 'user-pass' | 'sasl-plain'; username: string; password: string }): Promise<void> {
    if (chosen === 'sasl-plain') {
      await this.command({ line: 'AUTH PLAIN', expect: 'continue', errorClass: 'auth' });
      const token = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
      await this.command({ line: token, shown: 'AUTH PLAIN ***', errorClass: 'auth' });
    } else {
      await this.command({ line: `USER ${username}`, shown: 'USER', errorClass: 'auth' });
      await this.command({ line: `PASS ${password}`, shown: 'PASS ***', errorClass: 'auth' });
    }
  }

  async stat(): Promise<Pop3Stat> {
    const text = await this.exclusive(() => this.command({ line: 'STAT' }));
    return parseStat(text) ?? this.malformed('STAT', text);
  }

  async list(): Promise<Pop3MessageInfo[]> {
    const lines = await this.exclusive(() => this.multiline({ command: 'LIST' }));
    return lines.map((line) => parseListLine(line) ?? this.malformed('LIST', line));
  }

  /** Unique ids per message number (stable across sessions); a server without UIDL gives a Pop3UnsupportedError. */
  async uidl(): Promise<Pop3UidInfo[]> {
    let lines: string[];
    try {
      lines = await this.exclusive(() => this.multiline({ command: 'UIDL' }));
    } catch (error) {
      if (error instanceof Pop3ResponseError) throw new Pop3UnsupportedError({ command: 'UIDL', response: error.response });
      throw error;
    }
    return lines.map((line) => parseUidlLine(line) ?? this.malformed('UIDL', line));
  }

  /**
   * The header block of a message and the first `lines` lines of its body (RFC 1939 TOP), as sent
   * (dot-unstuffed, CRLF). `lines: 0` gives the headers and the blank line after them: enough to
   * read a Date or to tell messages apart on a server without UIDL. Held in memory, so keep `lines`
   * small. TOP is optional: a server without it answers -ERR (a Pop3ResponseError).
   */
  async top({ number, lines }: { number: number; lines: number }): Promise<Buffer> {
    return this.exclusive(() => this.multilineBytes({ command: `TOP ${number} ${lines}`, maxBytes: MAX_TOP_BYTES }));
  }

  /**
   * The message as a stream of its bytes, dot-unstuffed, line breaks as the server sent them (CRLF).
   * Chunks flow as they arrive and the socket pauses while the consumer is slow, so memory stays
   * bounded. Later commands wait until the stream has ended, so read it to its end or destroy it;
   * destroying it early closes the connection
   * (the rest of the message is still on the wire). `-ERR` destroys the stream with a Pop3ResponseError.
   */
  retr(number: number): Readable {
    let settled = false;
    let release: (() => void) | undefined;
    const turn = new Promise<void>((begin) => {
      void this.exclusive(
        () =>
          new Promise<void>((end) => {
            release = end;
            if (settled) end();
            else begin();
          }),
      );
    });
    const unstuffer = new Pop3DotUnstuffer();
    let started = false;
    let inBody = false;
    let pumping = false;
    const pump = async (): Promise<void> => {
      if (!started) {
        started = true;
        await turn;
        await this.command({ line: `RETR ${number}` });
        inBody = true;
      }
      for (;;) {
        const { data, done, rest } = unstuffer.push(await this.reader.readChunk());
        let wantsMore = true;
        for (const part of data) wantsMore = stream.push(part);
        if (done) {
          this.reader.unread(rest);
          inBody = false;
          settled = true;
          release?.();
          stream.push(null);
          return;
        }
        if (!wantsMore) return;
      }
    };
    const stream = new Readable({
      read: () => {
        if (pumping || settled) return;
        pumping = true;
        pump().then(
          () => (pumping = false),
          (error: Error) => {
            pumping = false;
            if (!(error instanceof Pop3ResponseError && error.refusedByServer)) this.broke(error);
            stream.destroy(error);
          },
        );
      },
      destroy: (error, callback) => {
        if (!settled) {
          settled = true;
          // Mid-message the connection cannot carry another command: the rest is still on the wire.
          if (inBody) this.close();
          release?.();
        }
        callback(error);
      },
    });
    return stream;
  }

  /**
   * Several messages read whole into memory, in the order given: for small messages, where the
   * caller bounds the total. Where the server announces PIPELINING (RFC 2449 §6.6) the RETRs go out
   * together, up to PIPELINE_WINDOW ahead of their answers, so a group costs one round trip instead of
   * one per message: over a 20 ms link that is the difference between 50 messages a second and the
   * link's bandwidth. A message the server refuses (-ERR) comes back as its Pop3ResponseError and
   * the others go on; anything else closes the connection (answers still on the wire) and throws.
   * @example const [first, second] = await client.retrMany([1, 2]); // Buffer | Pop3ResponseError each
   */
  async retrMany(numbers: readonly number[]): Promise<Array<Buffer | Pop3ResponseError>> {
    return this.pipelined({
      lines: numbers.map((number) => `RETR ${number}`),
      answer: async (command) => {
        try {
          await this.readStatus({ command });
        } catch (error) {
          if (error instanceof Pop3ResponseError && error.refusedByServer) return error;
          throw error;
        }
        return this.readMultilineBody({ command, maxBytes: MAX_HELD_MESSAGE_BYTES });
      },
    });
  }

  /** Marks a message for deletion; only quit() makes it happen (RFC 1939 UPDATE state). */
  async dele(number: number): Promise<void> {
    await this.exclusive(() => this.command({ line: `DELE ${number}` }));
  }

  /**
   * DELE for each message, pipelined like retrMany where the server allows it. Every answer is read;
   * then the first refusal, if any, is thrown (nothing is deleted until quit(), so the caller may
   * close instead to keep them all).
   */
  async deleMany(numbers: readonly number[]): Promise<void> {
    const answers = await this.pipelined({
      lines: numbers.map((number) => `DELE ${number}`),
      answer: async (command) => {
        try {
          await this.readStatus({ command });
          return undefined;
        } catch (error) {
          if (error instanceof Pop3ResponseError && error.refusedByServer) return error;
          throw error;
        }
      },
    });
    const refused = answers.find((answer) => answer instanceof Pop3ResponseError);
    if (refused) throw refused;
  }

  /** Ends the session: the server now deletes what DELE marked. Closes the connection either way. */
  async quit(): Promise<void> {
    try {
      await this.exclusive(() => this.command({ line: 'QUIT' }));
    } finally {
      this.close();
    }
  }

  /** Drops the connection without QUIT: messages marked with DELE stay on the server. Idempotent. */
  close(): void {
    this.closedByCaller = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }

  private async startTls(): Promise<void> {
    const capabilities = await this.capabilities();
    if (capabilities.length > 0 && !hasCapability({ capabilities, name: 'STLS' })) {
      throw new MailConnectionError({ errorClass: 'tls', message: 'the POP3 server does not offer STLS; refusing to send credentials in plaintext' });
    }
    await this.exclusive(() => this.command({ line: 'STLS', errorClass: 'tls' }));
    if (this.reader.detach().length > 0) {
      // Anything sent before the handshake would be read as if it came over TLS (CVE-2011-0411 style injection).
      throw new MailConnectionError({ errorClass: 'tls', message: 'the POP3 server sent data between STLS and the TLS handshake' });
    }
    const plain = this.socket as Socket;
    const secure = await upgradeToTls({ socket: plain, host: this.options.host, tls: this.options.tls, timeoutMs: this.timeoutMs }).catch((error: unknown) => {
      plain.destroy();
      throw error;
    });
    this.socket = secure;
    this.reader = new Pop3LineReader(secure, this.timeoutMs);
    this.capabilityCache = undefined; // RFC 2595 §4: forget what was learnt in plaintext
  }

  /** Runs `work` after everything queued before it; a failure does not block what comes after. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Commands whose answers `answer` reads one by one, in order: sent PIPELINE_WINDOW ahead where the
   * server announced PIPELINING, otherwise each after the previous answer. One turn of exclusive()
   * for all of them. `answer` returns a refusal (-ERR) as a value; anything it throws leaves the session
   * out of step (later answers on the wire, an answer half read): the connection is closed.
   */
  private async pipelined<T>({ lines, answer }: { lines: readonly string[]; answer: (command: string) => Promise<T> }): Promise<T[]> {
    if (lines.length === 0) return [];
    const ahead = this.options.pipelining !== false && lines.length > 1 && hasCapability({ capabilities: await this.capabilities(), name: 'PIPELINING' }) ? PIPELINE_WINDOW : 1;
    return this.exclusive(async () => {
      const answers: T[] = [];
      let sent = 0;
      try {
        for (const [index, command] of lines.entries()) {
          // In batches of `ahead`: one round trip per batch.
          if (sent === index) {
            const batch = lines.slice(sent, sent + ahead);
            await this.send(...batch);
            sent += batch.length;
          }
          answers.push(await answer(command));
        }
        return answers;
      } catch (error) {
        this.broke(error as Error);
        this.close();
        throw error;
      }
    });
  }

  /** Writes the lines in one go (one segment for a pipelined batch). */
  private async send(...lines: string[]): Promise<void> {
    const closed = (cause?: Error): Error => this.reader.error ?? new MailConnectionError({ errorClass: 'connect', message: 'the POP3 connection is closed', cause });
    if (this.reader.error || this.socket.destroyed) throw closed();
    // A line break in a username or password would smuggle in a second command.
    if (lines.some((line) => /[\r\n]/.test(line))) throw new MailConnectionError({ errorClass: 'protocol', message: 'refusing to send a POP3 command with a line break in an argument' });
    await new Promise<void>((resolve, reject) => this.socket.write(lines.map((line) => `${line}\r\n`).join(''), (error) => (error ? reject(closed(error)) : resolve())));
  }

  private async readStatus({ command, expect = 'ok', errorClass = 'protocol' }: { command: string; expect?: 'ok' | 'continue'; errorClass?: ConnectionErrorClass }): Promise<string> {
    const status = parseStatusLine(await this.reader.readLine());
    if (status.kind === expect) return status.text;
    // Not POP3 at all (an IMAP greeting, say) is a protocol problem whatever the command was.
    throw new Pop3ResponseError({ command, response: status.line, errorClass: status.kind === 'err' ? errorClass : 'protocol' });
  }

  /** One command and its status line; `shown` is what errors say instead of the line. Call inside exclusive(). */
  private async command({ line, shown = line, expect, errorClass }: { line: string; shown?: string; expect?: 'ok' | 'continue'; errorClass?: ConnectionErrorClass }): Promise<string> {
    await this.send(line);
    return this.readStatus({ command: shown, expect, errorClass });
  }

  /** A command with a multi-line answer, as lines. Call inside exclusive(). */
  private async multiline({ command }: { command: string }): Promise<string[]> {
    return splitLines(await this.multilineBytes({ command, maxBytes: MAX_LISTING_BYTES }));
  }

  /** A command with a multi-line answer, as its dot-unstuffed bytes. Call inside exclusive(). */
  private async multilineBytes({ command, maxBytes }: { command: string; maxBytes: number }): Promise<Buffer> {
    await this.command({ line: command });
    return this.readMultilineBody({ command, maxBytes });
  }

  /** The body of a multi-line answer whose +OK has been read, dot-unstuffed. Call inside exclusive(). */
  private async readMultilineBody({ command, maxBytes }: { command: string; maxBytes: number }): Promise<Buffer> {
    const unstuffer = new Pop3DotUnstuffer();
    // Slices of the socket's chunks; the concat at the end copies them once.
    const body: Buffer[] = [];
    let size = 0;
    for (;;) {
      const { data, done, rest } = unstuffer.push(await this.reader.readChunk());
      for (const part of data) {
        body.push(part);
        size += part.length;
      }
      // The rest of the answer is still on the wire, so the session is out of step: close it and later commands fail fast.
      if (size > maxBytes) {
        const error = new MailConnectionError({ errorClass: 'protocol', message: `the POP3 server's ${command} answer is larger than ${maxBytes} bytes` });
        this.broke(error);
        this.close();
        throw error;
      }
      if (done) {
        this.reader.unread(rest);
        return Buffer.concat(body);
      }
    }
  }

  /** Notes why the session broke, unless the caller had closed it (then the error is only its echo). */
  private broke(error: Error): void {
    if (!this.closedByCaller) this.brokenBy ??= error;
  }

  private malformed(command: string, text: string): never {
    throw new Pop3ResponseError({ command, response: `malformed answer: ${text.slice(0, 200)}` });
  }
}
