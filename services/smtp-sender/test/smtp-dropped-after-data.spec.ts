import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySendError } from '../src/delivery';
import { MessageHandOver, SmtpTransports } from '../src/sending/smtp-transports';

/**
 * A broken SMTP server, a test double because Postfix and Dovecot cannot be made to do this: it speaks
 * just enough SMTP (greeting, EHLO, MAIL, RCPT, DATA 354) and closes the connection at `closeAt`:
 * after reading the final dot without replying, or after the first bytes of the message.
 */
async function startBrokenSmtpServer(closeAt: 'after-final-dot' | 'during-data'): Promise<{ port: number; received: () => string; stop: () => Promise<void> }> {
  let data = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let inData = false;
    let pending = '';
    socket.write('220 broken.example ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (inData) {
        data += chunk.toString('latin1');
        if (closeAt === 'during-data' || data.endsWith('\r\n.\r\n')) socket.destroy();
        return;
      }
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n'); end >= 0 && !inData; end = pending.indexOf('\r\n')) {
        const command = pending.slice(0, end).toUpperCase();
        pending = pending.slice(end + 2);
        if (command.startsWith('EHLO')) socket.write('250-broken.example\r\n250 8BITMIME\r\n');
        else if (command.startsWith('DATA')) {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (command.startsWith('QUIT')) socket.end('221 Bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    received: () => data,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const transports = new SmtpTransports();
let stopServer: (() => Promise<void>) | undefined;

afterEach(async () => {
  transports.onApplicationShutdown();
  await stopServer?.();
});

async function sendThrough(closeAt: 'after-final-dot' | 'during-data', raw: Buffer) {
  const server = await startBrokenSmtpServer(closeAt);
  stopServer = server.stop;
  const transport = transports.for({ accountId: closeAt, revision: 1, server: { protocol: 'smtp', host: '127.0.0.1', port: server.port, security: 'none', username: '', password: '' }, timeoutMs: 5_000 });
  const handOver = new MessageHandOver();
  const error = await transport.sendMail(handOver.attachTo({ envelope: { from: 'sender@example.com', to: ['max@example.org'] }, raw })).then(
    () => expect.fail('the send should have failed'),
    (failure: unknown) => failure,
  );
  return { error, handOver, received: server.received() };
}

const message = (body: string) => Buffer.from(`From: sender@example.com\r\nTo: max@example.org\r\nSubject: dropped\r\nMessage-ID: <dropped@example.com>\r\n\r\n${body}\r\n`);

describe('a connection that breaks in DATA', () => {
  it('should fail permanently, as possibly delivered, when it broke after the final dot and before the reply', async () => {
    const { error, handOver, received } = await sendThrough('after-final-dot', message('Hello'));

    expect(received).toMatch(/Hello\r\n\.\r\n$/);
    expect(error).toMatchObject({ code: 'ECONNECTION' });
    expect(handOver.messageWritten).toBe(true);
    expect(classifySendError(error, { messageWritten: handOver.messageWritten })).toMatchObject({ kind: 'permanent', smtpText: expect.stringMatching(/after the whole message was sent.*may have been delivered/) });
  });

  it('should stay a retry when it broke before the whole message was written', async () => {
    // About 30 MB: far more than the process’s and the kernel’s socket buffers, so most of it is unwritten at the drop.
    const { error, handOver, received } = await sendThrough('during-data', message('x'.repeat(76).concat('\r\n').repeat(400_000)));

    expect(received).not.toMatch(/\r\n\.\r\n$/);
    expect(handOver.messageWritten).toBe(false);
    expect(classifySendError(error, { messageWritten: handOver.messageWritten })).toMatchObject({ kind: 'retrying' });
  });
});
