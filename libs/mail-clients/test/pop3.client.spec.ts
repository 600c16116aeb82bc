import { createHash } from 'node:crypto';
import { chmod, readdir, readFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSecurity } from '@mailbus/mail-protocol';
import { DEFAULT_MAIL_PASSWORD, appendMessage, startStack, type Stack } from '@mailbus/testing';
import { MailConnectionError, Pop3Client, Pop3ResponseError, loginDelay } from '../src';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ mail: true });
});

afterAll(async () => {
  await stack?.stop();
});

/** Each test uses its own mailbox, so they do not see each other's messages. */
const connect = async ({ username, security = 'starttls' }: { username: string; security?: MailSecurity }): Promise<Pop3Client> => {
  const port = security === 'tls' ? stack.dovecot!.pop3sPort : stack.dovecot!.pop3Port;
  const client = await Pop3Client.connect({ host: '127.0.0.1', port, security, timeoutMs: 5_000, tls: { ca: stack.dovecot!.caCertPem } });
  await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
  return client;
};

const readAll = async (stream: Readable): Promise<{ bytes: Buffer; chunks: Buffer[] }> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), chunks };
};

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

const message = (subject: string, body = 'body\r\n'): string => `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\n${body}`;

describe(Pop3Client.name, () => {
  it('should list and stream messages byte for byte, lines starting with a dot as they were', async () => {
    const dotted = message('dots', '.\r\n..double\r\n.leading dot\r\n...\r\nend.\r\n.');
    const lfOnly = 'From: a@example.com\nSubject: bare LF\n\nline\n.dot\n';
    await appendMessage({ dovecot: stack.dovecot!, username: 'user2', raw: dotted });
    await appendMessage({ dovecot: stack.dovecot!, username: 'user2', raw: lfOnly });
    const sut = await connect({ username: 'user2', security: 'none' });

    const uids = await sut.uidl();
    expect(uids.map(({ number }) => number)).toEqual([1, 2]);
    expect(new Set(uids.map(({ uid }) => uid)).size).toBe(2);
    expect(await sut.stat()).toMatchObject({ count: 2 });
    // The message ends without a line break; POP3 must add one before the terminator.
    expect((await readAll(sut.retr(1))).bytes.toString()).toBe(`${dotted}\r\n`);
    // POP3 sends CRLF line ends whatever the store has.
    expect((await readAll(sut.retr(2))).bytes.toString()).toBe(lfOnly.replace(/\n/g, '\r\n'));
    // Dovecot's LIST size is the stored size in CRLF form, without the line break RETR adds at the end.
    expect((await sut.list()).map(({ number, size }) => [number, size])).toEqual([
      [1, Buffer.byteLength(dotted)],
      [2, Buffer.byteLength(lfOnly.replace(/\n/g, '\r\n'))],
    ]);
    await sut.quit();
  });

  it('should stream a 5 MB message in many chunks over TLS without buffering it whole', async () => {
    const line = `${'0123456789abcdef'.repeat(4)}\r\n`;
    const large = message('large', line.repeat(80_000));
    expect(large.length).toBeGreaterThan(5_000_000);
    await appendMessage({ dovecot: stack.dovecot!, username: 'user3', raw: large });
    const sut = await connect({ username: 'user3', security: 'tls' });

    const { bytes, chunks } = await readAll(sut.retr(1));
    expect(chunks.length).toBeGreaterThan(50);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(1024 * 1024);
    expect(bytes.length).toBe(Buffer.byteLength(large));
    expect(sha256(bytes)).toBe(sha256(large));
    // The session is still in step after the stream.
    expect(await sut.stat()).toEqual({ count: 1, size: Buffer.byteLength(large) });
    await sut.quit();
  });

  it('should delete on QUIT and keep messages when the connection is only closed', async () => {
    await appendMessage({ dovecot: stack.dovecot!, username: 'user4', raw: message('first') });
    await appendMessage({ dovecot: stack.dovecot!, username: 'user4', raw: message('second') });
    const first = await connect({ username: 'user4' });
    const uids = await first.uidl();
    await first.dele(1);
    first.close();

    const second = await connect({ username: 'user4' });
    expect(await second.uidl()).toEqual(uids);
    await second.dele(1);
    await second.quit();

    const third = await connect({ username: 'user4' });
    expect((await third.uidl()).map(({ uid }) => uid)).toEqual([uids[1]!.uid]);
    await third.quit();
  });

  it('should queue commands issued while a message streams, and report -ERR without losing the session', async () => {
    await appendMessage({ dovecot: stack.dovecot!, username: 'user5', raw: message('one') });
    const sut = await connect({ username: 'user5' });
    const stream = sut.retr(1);
    const stat = sut.stat();
    expect((await readAll(stream)).bytes.toString()).toBe(message('one'));
    expect(await stat).toMatchObject({ count: 1 });

    const missing = readAll(sut.retr(99));
    await expect(missing).rejects.toBeInstanceOf(Pop3ResponseError);
    await expect(missing).rejects.toMatchObject({ command: 'RETR 99', response: expect.stringMatching(/^-ERR /) });
    await expect(sut.dele(42)).rejects.toMatchObject({ command: 'DELE 42' });
    expect((await sut.list()).map(({ number }) => number)).toEqual([1]);
    await sut.quit();
  });

  it('should close the connection when a stream is abandoned mid-message, so later commands fail fast', async () => {
    await appendMessage({ dovecot: stack.dovecot!, username: 'catchall', raw: message('big', 'x'.repeat(998).concat('\r\n').repeat(2_000)) });
    const sut = await connect({ username: 'catchall' });
    const stream = sut.retr(1);
    for await (const _chunk of stream) break; // for-await destroys the stream on break
    await expect(sut.stat()).rejects.toBeInstanceOf(MailConnectionError);
    await expect(sut.stat()).rejects.toMatchObject({ errorClass: 'connect' });
    // Closed by its reader, not broken by the server.
    expect(sut.failure).toBeUndefined();
  });

  it('should offer the capabilities Dovecot lists, before and after login', async () => {
    const sut = await Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3Port, security: 'none', timeoutMs: 5_000 });
    const before = await sut.capabilities();
    expect(before).toEqual(expect.arrayContaining(['USER', 'UIDL', 'STLS']));
    await sut.login({ username: 'user1', password: DEFAULT_MAIL_PASSWORD });
    expect(await sut.capabilities()).toContain('UIDL');
    await sut.quit();
  });

  it('should read the header block with TOP and go on after a refused TOP', async () => {
    await stack.dovecot!.addUser({ username: 'poptop', password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: stack.dovecot!, username: 'poptop', raw: message('headers only', 'line 1\r\nline 2\r\n') });
    const sut = await connect({ username: 'poptop' });
    expect((await sut.top({ number: 1, lines: 0 })).toString()).toBe('From: a@example.com\r\nTo: b@example.com\r\nSubject: headers only\r\n\r\n');
    expect((await sut.top({ number: 1, lines: 1 })).toString()).toMatch(/\r\n\r\nline 1\r\n$/);
    const refused = sut.top({ number: 7, lines: 0 });
    await expect(refused).rejects.toBeInstanceOf(Pop3ResponseError);
    await expect(refused).rejects.toMatchObject({ command: 'TOP 7 0', refusedByServer: true });
    expect(await sut.stat()).toMatchObject({ count: 1 });
    await sut.quit();
  });

  it('should refuse the RETR of a message another session deleted and keep the session usable', async () => {
    await stack.dovecot!.addUser({ username: 'popgone', password: DEFAULT_MAIL_PASSWORD });
    for (const subject of ['gone', 'kept']) await appendMessage({ dovecot: stack.dovecot!, username: 'popgone', raw: message(subject) });
    const sut = await connect({ username: 'popgone' });
    expect(await sut.uidl()).toHaveLength(2);
    const other = await connect({ username: 'popgone' });
    await other.dele(1);
    await other.quit();

    const refused = readAll(sut.retr(1));
    await expect(refused).rejects.toMatchObject({ command: 'RETR 1', refusedByServer: true });
    expect((await readAll(sut.retr(2))).bytes.toString()).toBe(message('kept'));
    await sut.quit();
  });

  it('should refuse the RETR of a message the server cannot read and keep the session usable', async () => {
    await stack.dovecot!.addUser({ username: 'popbroken', password: DEFAULT_MAIL_PASSWORD });
    for (const subject of ['unreadable', 'readable']) await appendMessage({ dovecot: stack.dovecot!, username: 'popbroken', raw: message(subject) });
    const maildir = stack.dovecot!.mailDir('popbroken');
    const paths = (await Promise.all(['cur', 'new'].map(async (dir) => (await readdir(join(maildir, dir))).map((name) => join(maildir, dir, name))))).flat();
    const unreadable = (await Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })))).find(({ text }) => text.includes('Subject: unreadable'));
    expect(unreadable, paths.join(', ')).toBeDefined();
    // Dovecot's mail processes run as an unprivileged user, so mode 000 makes the file unreadable to them.
    await chmod(unreadable!.path, 0o000);
    const sut = await connect({ username: 'popbroken' });

    const refused = readAll(sut.retr(1));
    await expect(refused).rejects.toMatchObject({ command: 'RETR 1', refusedByServer: true });
    expect((await readAll(sut.retr(2))).bytes.toString()).toBe(message('readable'));
    await sut.quit();
  });

  it("should close the connection when its signal is aborted mid-message, committing none of the session's DELEs", async () => {
    await stack.dovecot!.addUser({ username: 'popabort', password: DEFAULT_MAIL_PASSWORD });
    await appendMessage({ dovecot: stack.dovecot!, username: 'popabort', raw: message('small') });
    await appendMessage({ dovecot: stack.dovecot!, username: 'popabort', raw: message('big', 'x'.repeat(998).concat('\r\n').repeat(2_000)) });
    const shutdown = new AbortController();
    const sut = await Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3Port, security: 'none', timeoutMs: 5_000, signal: shutdown.signal });
    await sut.login({ username: 'popabort', password: DEFAULT_MAIL_PASSWORD });
    await sut.dele(1);
    const stream = sut.retr(2);
    const reading = readAll(stream);
    await new Promise((resolve) => stream.once('data', resolve));
    shutdown.abort();
    await expect(reading).rejects.toMatchObject({ errorClass: 'connect' });
    await expect(sut.stat()).rejects.toBeInstanceOf(MailConnectionError);

    const after = await connect({ username: 'popabort' });
    expect(await after.stat()).toMatchObject({ count: 2 });
    await after.quit();
  });

  it('should find no LOGIN-DELAY in what Dovecot lists before and after login', async () => {
    const sut = await connect({ username: 'user1' });
    const capabilities = await sut.capabilities();
    expect(capabilities).toEqual(expect.arrayContaining(['TOP', 'UIDL']));
    expect(loginDelay(capabilities)).toBeUndefined();
    await sut.quit();
  });

  it('should log in with AUTH PLAIN too, and refuse a wrong password there as auth', async () => {
    const open = () => Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3sPort, security: 'tls', timeoutMs: 5_000, tls: { ca: stack.dovecot!.caCertPem } });
    const sut = await open();
    await sut.login({ username: 'user1', password: DEFAULT_MAIL_PASSWORD, method: 'sasl-plain' });
    expect(await sut.stat()).toMatchObject({ count: expect.any(Number) });
    await sut.quit();
    const refused = await open();
    await expect(refused.login({ username: 'user1', password: 'Secret-Wrong-2', method: 'sasl-plain' })).rejects.toMatchObject({
      command: 'AUTH PLAIN ***',
      errorClass: 'auth',
      response: '-ERR [AUTH] Authentication failed.',
    });
    refused.close();
  });

  it('should raise a refused login as an auth error that does not show the password', async () => {
    const sut = await Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3Port, security: 'starttls', timeoutMs: 5_000, tls: { ca: stack.dovecot!.caCertPem } });
    const failure = sut.login({ username: 'user1', password: 'Secret-Wrong-1' });
    await expect(failure).rejects.toMatchObject({ command: 'PASS ***', response: '-ERR [AUTH] Authentication failed.', errorClass: 'auth' });
    await expect(failure).rejects.not.toThrow(/Secret-Wrong-1/);
    await expect(sut.login({ username: 'user1', password: 'x\r\nDELE 1' })).rejects.toMatchObject({
      errorClass: 'protocol',
      message: 'refusing to send a POP3 command with a line break in an argument',
    });
    sut.close();
  });
});

/**
 * A pass-through in front of Dovecot's POP3 port that keeps what the client sent, chunk by chunk as the
 * server side read it. With `cutOn`, it drops the connection instead of passing on a chunk that has it.
 */
async function startRecordingProxy(targetPort: number, { cutOn }: { cutOn?: string } = {}): Promise<{ port: number; sent: string[]; close: () => void }> {
  const sent: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      sent.push(chunk.toString('latin1'));
      if (cutOn && chunk.toString('latin1').includes(cutOn)) {
        client.destroy();
        upstream.destroy();
      }
    });
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('Pop3Client pipelining', () => {
  const messages = [message('p1', '.dotted\r\n..two\r\n'), message('p2'), message('p3', `${'x'.repeat(900)}\r\n`.repeat(80)), message('p4')];

  const connectVia = async ({ port, pipelining }: { port: number; pipelining?: boolean }): Promise<Pop3Client> => {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port, security: 'none', timeoutMs: 5_000, pipelining });
    await client.login({ username: 'pipeline', password: DEFAULT_MAIL_PASSWORD });
    return client;
  };

  beforeAll(async () => {
    await stack.dovecot!.addUser({ username: 'pipeline', password: DEFAULT_MAIL_PASSWORD });
    for (const raw of messages) await appendMessage({ dovecot: stack.dovecot!, username: 'pipeline', raw });
  });

  it.each([
    { pipelining: undefined, batched: true },
    { pipelining: false, batched: false },
  ])('should read several messages byte for byte with retrMany, a refused one in its place (pipelining $pipelining)', async ({ pipelining, batched }) => {
    const proxy = await startRecordingProxy(stack.dovecot!.pop3Port);
    const sut = await connectVia({ port: proxy.port, pipelining });
    expect(await sut.capabilities()).toContain('PIPELINING');
    await sut.dele(2); // a message deleted in this session: its RETR is refused

    const answers = await sut.retrMany([4, 2, 1, 99, 3]);

    expect(answers.map((answer) => (answer instanceof Pop3ResponseError ? answer.command : answer.toString('latin1')))).toEqual([messages[3], 'RETR 2', messages[0], 'RETR 99', messages[2]]);
    expect((answers[1] as Pop3ResponseError).refusedByServer).toBe(true);
    const retrChunks = proxy.sent.filter((chunk) => chunk.includes('RETR'));
    // Pipelined, the five RETRs reach the server as one write; otherwise each waits for the previous answer.
    expect(retrChunks).toEqual(batched ? ['RETR 4\r\nRETR 2\r\nRETR 1\r\nRETR 99\r\nRETR 3\r\n'] : ['RETR 4\r\n', 'RETR 2\r\n', 'RETR 1\r\n', 'RETR 99\r\n', 'RETR 3\r\n']);
    // The session is in step after the refusal: the next answer is the STAT's.
    expect(await sut.stat()).toMatchObject({ count: 3 });
    sut.close(); // no QUIT: nothing is deleted
    proxy.close();
  });

  it('should tell a connection the server dropped during retrMany from one the caller closed', async () => {
    const proxy = await startRecordingProxy(stack.dovecot!.pop3Port, { cutOn: 'RETR 3' });
    const sut = await connectVia({ port: proxy.port });
    expect(sut.failure).toBeUndefined();

    await expect(sut.retrMany([1, 3])).rejects.toBeInstanceOf(MailConnectionError);

    expect(sut.failure).toMatchObject({ errorClass: 'connect', message: 'the POP3 server closed the connection' });
    proxy.close();
    const closed = await connectVia({ port: stack.dovecot!.pop3Port });
    closed.close();
    await expect(closed.retrMany([1, 2])).rejects.toBeInstanceOf(MailConnectionError);
    expect(closed.failure).toBeUndefined();
  });

  it('should mark every message with deleMany, read every answer before throwing a refusal, and stay in step', async () => {
    await stack.dovecot!.addUser({ username: 'pipedele', password: DEFAULT_MAIL_PASSWORD });
    for (const subject of ['d1', 'd2', 'd3']) await appendMessage({ dovecot: stack.dovecot!, username: 'pipedele', raw: message(subject) });
    const sut = await Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3Port, security: 'none', timeoutMs: 5_000 });
    await sut.login({ username: 'pipedele', password: DEFAULT_MAIL_PASSWORD });

    await expect(sut.deleMany([1, 99, 3])).rejects.toMatchObject({ command: 'DELE 99', response: expect.stringMatching(/^-ERR /) });

    expect(await sut.stat()).toMatchObject({ count: 1 });
    await sut.quit();
    const after = await Pop3Client.connect({ host: '127.0.0.1', port: stack.dovecot!.pop3Port, security: 'none', timeoutMs: 5_000 });
    await after.login({ username: 'pipedele', password: DEFAULT_MAIL_PASSWORD });
    expect((await after.retrMany([1])).map((answer) => answer.toString())).toEqual([message('d2')]);
    await after.quit();
  });
});
