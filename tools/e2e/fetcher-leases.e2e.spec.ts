import { Kvm } from '@nats-io/kv';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { leaseKey } from '@mailbus/nats-transport';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { startSystem, type System } from './system';

// Leases of 3 s, renewed every second: a lost lease is noticed within a second.
const LEASE_MS = 3_000;

let system: System;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { FETCH_LEASE_MS: String(LEASE_MS), SCHEDULER_TICK_MS: '200' } });
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

/** A TCP gate in front of Dovecot: connections wait, unanswered, until the gate opens; then they pass through. */
async function gate({ targetPort }: { targetPort: number }): Promise<{ port: number; waiting: Socket[]; open(): void; close(): Promise<void> }> {
  const waiting: Socket[] = [];
  const sockets = new Set<Socket>();
  const passThrough = (client: Socket): void => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => (client.destroy(), upstream.destroy()));
  };
  let opened = false;
  const server: Server = createServer((client) => {
    sockets.add(client);
    if (opened) passThrough(client);
    else waiting.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    waiting,
    open: () => {
      opened = true;
      waiting.splice(0).forEach(passThrough);
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface RunLine {
  msg: string;
  accountId?: string;
  fetched?: number;
  more?: boolean;
}

const fetcherLines = async (accountId: string): Promise<RunLine[]> =>
  (await system.logs())
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(accountId))
    .map((line) => JSON.parse(line) as RunLine);

describe('fetcher account leases', () => {
  it('should stop a run at once when its lease was lost to another holder, and store nothing after that', async () => {
    const dovecot = system.stack.dovecot!;
    await dovecot.addUser({ username: 'leaselost', password: DEFAULT_MAIL_PASSWORD });
    for (let n = 0; n < 5; n += 1) await appendMessage({ dovecot, username: 'leaselost', raw: `Subject: ${n}\r\nMessage-ID: <lease-lost.${n}@example.com>\r\n\r\nbody\r\n` });
    const held = await gate({ targetPort: dovecot.imapsPort });
    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['lease-owner@example.com'] } })).body;
    const account = (
      await system.api<AccountView>('POST', '/v1/accounts', {
        body: { name: 'L', email: 'lease-lost@example.com', owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: held.port, security: 'tls', username: 'leaselost', password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
      })
    ).body;
    const nats = await connectNats({ servers: system.stack.natsUrl });
    const mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
    try {
      // The first run waits at the gate, holding the account's lease.
      await expectEventually(() => expect(held.waiting).toHaveLength(1), { timeoutMs: 30_000 });

      // Another holder takes the lease over, as a replica would after this one stalled past it.
      const leases = await new Kvm(nats).open('fetch-account-leases');
      await leases.put(leaseKey(account.id), JSON.stringify({ holder: 'other-replica', expiresAt: Date.now() + 120_000 }));
      await expectEventually(async () => expect((await fetcherLines(account.id)).some(({ msg }) => msg === 'account lease lost; the run stops')).toBe(true), { timeoutMs: 10_000 });
      held.open();

      const finished = await expectEventually(
        async () => {
          const run = (await fetcherLines(account.id)).find(({ msg }) => msg === 'account run finished');
          expect(run).toBeDefined();
          return run!;
        },
        { timeoutMs: 30_000 },
      );
      expect(finished).toMatchObject({ fetched: 0, more: true });
      expect(await mongo.db(system.env.MONGODB_DB).collection('fetched_messages').countDocuments({ accountId: account.id })).toBe(0);
      // The other holder's lease stands: the stopped run's release did not remove it.
      expect(JSON.parse((await leases.get(leaseKey(account.id)))!.string())).toMatchObject({ holder: 'other-replica' });
    } finally {
      await nats.close();
      await mongo.close();
      await held.close();
    }
  });
});
