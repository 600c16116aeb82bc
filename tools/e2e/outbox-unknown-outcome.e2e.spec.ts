import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Events, SendFailedSchema, SendFailureKind, type AccountView, type OutboxItemView, type UserView } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * A connection that breaks after the whole message went to the SMTP server (its final dot included)
 * and before the server's reply has an unknown outcome: the server may have queued the mail, and a
 * retry would deliver a second copy. smtp-sender fails it at once, saying so; a connection that breaks
 * before DATA is retried as before.
 */

/**
 * A broken SMTP server, a test double because Postfix and Dovecot cannot be made to do this: greeting,
 * EHLO, MAIL, RCPT and DATA 354, then it closes the connection without a reply as soon as it has read
 * the final dot of a mail to a recipient containing "after-dot", or instead of answering DATA for one
 * containing "before-data". It counts the mails it read whole.
 */
async function startBrokenSmtpServer(): Promise<{ port: number; wholeMails: () => number; dataCommands: (match: string) => number; stop: () => Promise<void> }> {
  let wholeMails = 0;
  const dataCommands = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let recipient = '';
    let data: string | undefined;
    let pending = '';
    socket.write('220 broken.example ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (data !== undefined) {
        data += chunk.toString('latin1');
        if (!data.endsWith('\r\n.\r\n')) return;
        wholeMails += 1;
        socket.destroy();
        return;
      }
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n'); end >= 0 && data === undefined; end = pending.indexOf('\r\n')) {
        const command = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const verb = command.toUpperCase();
        if (verb.startsWith('EHLO')) socket.write('250-broken.example\r\n250 8BITMIME\r\n');
        else if (verb.startsWith('RCPT TO')) {
          recipient = command;
          socket.write('250 OK\r\n');
        } else if (verb.startsWith('DATA')) {
          const match = recipient.includes('before-data') ? 'before-data' : 'after-dot';
          dataCommands.set(match, (dataCommands.get(match) ?? 0) + 1);
          if (match === 'before-data') return void socket.destroy();
          data = '';
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb.startsWith('QUIT')) socket.end('221 Bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    wholeMails: () => wholeMails,
    dataCommands: (match) => dataCommands.get(match) ?? 0,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let system: System;
let broken: Awaited<ReturnType<typeof startBrokenSmtpServer>>;
let account: AccountView;

beforeAll(async () => {
  broken = await startBrokenSmtpServer();
  system = await startSystem({
    services: ['api', 'account-registry', 'smtp-sender'],
    // Retries come at once, so that a wrongly retried mail shows up within the test.
    env: { SEND_RETRY_BASE_MS: '200', SEND_RETRY_MAX_DELAY_MS: '400', SEND_PENDING_SWEEP_INTERVAL_MS: '500', SEND_RATE_PER_ACCOUNT_PER_MINUTE: '0', SEND_RATE_PER_HOST_PER_MINUTE: '0' },
  });
  const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['owner@example.com'] } })).body;
  const created = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: 'Broken relay', email: 'relay@example.com', owners: [owner.id], send: { host: '127.0.0.1', port: broken.port, security: 'none' } } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  account = created.body;
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await broken?.stop();
});

const send = async (to: string, subject: string): Promise<OutboxItemView> => {
  const response = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: { accountId: account.id, to: [to], subject, text: 'x' }, token: system.tokens.app });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body;
};
const outboxItem = async (id: string): Promise<OutboxItemView> => (await system.api<OutboxItemView>('GET', `/v1/outbox/${id}`, { token: system.tokens.app })).body;

describe('a connection that breaks while the SMTP server decides on a mail', () => {
  it('should fail the mail at once after one attempt, saying it may have been delivered, and never send it again', async () => {
    const queued = await send('after-dot@example.org', 'Dropped after the final dot');

    const failed = await expectEventually(
      async () => {
        const item = await outboxItem(queued.id);
        expect(item.status).toBe('failed');
        return item;
      },
      { timeoutMs: 30_000 },
    );

    expect(failed.attempts).toBe(1);
    expect(failed.lastError?.text).toMatch(/after the whole message was sent.*may have been delivered/);
    expect(failed.lastError?.smtpCode).toBeUndefined();
    expect(broken.wholeMails()).toBe(1);
    const failures = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendFailed.subject })).map(({ data }) => fromBinary(SendFailedSchema, data)).filter(({ outboxId }) => outboxId === queued.id);
    expect(failures.map(({ kind, attempt }) => [kind, attempt])).toEqual([[SendFailureKind.PERMANENT, 1]]);
  });

  it('should retry a mail whose connection broke before DATA: nothing of it reached the server', async () => {
    const queued = await send('before-data@example.org', 'Dropped before DATA');

    await expectEventually(
      async () => {
        const item = await outboxItem(queued.id);
        expect(item.attempts).toBeGreaterThanOrEqual(2);
        expect(item.status).toBe('retrying');
      },
      { timeoutMs: 30_000 },
    );
    expect(broken.dataCommands('before-data')).toBeGreaterThanOrEqual(2);
    // The mail of the first test was still read whole once only.
    expect(broken.wholeMails()).toBe(1);
  });
});
