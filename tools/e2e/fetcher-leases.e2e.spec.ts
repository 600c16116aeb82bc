import { Kvm } from '@nats-io/kv';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, SyncStatusView, UserView } from '@mailbus/contracts';
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

/** FETCH_HOST_CONNECTION_CAP's default: the slots of a host that a thief takes all of. */
const HOST_CAP = 3;
const THIEF = JSON.stringify({ holder: 'other-replica', expiresAt: Date.now() + 300_000 });

describe('IDLE watches', () => {
  it("should end a watch whose host slot was lost to another holder, and close its connection", async () => {
    const dovecot = system.stack.dovecot!;
    await dovecot.addUser({ username: 'idleslot', password: DEFAULT_MAIL_PASSWORD });
    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['idleslot-owner@example.com'] } })).body;
    const account = (
      await system.api<AccountView>('POST', '/v1/accounts', {
        body: { name: 'idleslot', email: 'idleslot@example.com', owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: dovecot.imapsPort, security: 'tls', username: 'idleslot', password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
      })
    ).body;
    const idleSince = async (): Promise<string | undefined> => (await system.api<SyncStatusView>('GET', `/v1/accounts/${account.id}/status`)).body.idleSince;
    const nats = await connectNats({ servers: system.stack.natsUrl });
    // IDLE takes one slot fewer than runs may: the slots it may use, all taken by the thief, so the watch cannot start again.
    const idleKeys = Array.from({ length: HOST_CAP - 1 }, (_, n) => leaseKey(`127.0.0.1#${n}`));
    const slots = await new Kvm(nats).open('host-connection-slots');
    try {
      await expectEventually(async () => expect(await idleSince()).toBeDefined(), { timeoutMs: 30_000 });
      expect(await Promise.all(idleKeys.map(async (key) => (await slots.get(key))?.string() ?? ''))).toContainEqual(expect.stringContaining(`:idle:${account.id}`));

      await Promise.all(idleKeys.map((key) => slots.put(key, THIEF)));

      await expectEventually(async () => expect(await idleSince()).toBeUndefined(), { timeoutMs: 10_000 });
      const watching = Number(/^mailbus_fetch_idle_connections(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${system.port('fetcher')}/metrics`)).text())?.[1]);
      expect(watching).toBe(0);
    } finally {
      await Promise.all(idleKeys.map((key) => slots.delete(key)));
      await nats.close();
    }
  });
});

describe('fetcher account leases', () => {
  const cases = [
    {
      lost: 'account lease',
      // Another replica takes the account over, as it would after this one stalled past the lease.
      steal: async (kvm: Kvm, accountId: string) => {
        const leases = await kvm.open('fetch-account-leases');
        await leases.put(leaseKey(accountId), THIEF);
        return async () => JSON.parse((await leases.get(leaseKey(accountId)))!.string()) as { holder: string };
      },
    },
    {
      lost: 'host slot',
      // The run's slot taken over, and the host's other slots taken too, so that no next run starts meanwhile.
      steal: async (kvm: Kvm, accountId: string) => {
        const slots = await kvm.open('host-connection-slots');
        const keys = Array.from({ length: HOST_CAP }, (_, n) => leaseKey(`127.0.0.1#${n}`));
        const runs = await Promise.all(keys.map(async (key) => ({ key, holder: (await slots.get(key))?.string() ?? '' })));
        const held = runs.find(({ holder }) => holder.includes(`:${accountId}`));
        expect(held, 'the run holds a slot of the host').toBeDefined();
        await Promise.all(keys.map((key) => slots.put(key, THIEF)));
        return async () => JSON.parse((await slots.get(held!.key))!.string()) as { holder: string };
      },
    },
  ];

  it.each(cases)('should stop a run at once when its $lost was lost to another holder, and store nothing after that', async ({ lost, steal }) => {
    const dovecot = system.stack.dovecot!;
    const username = lost.replace(' ', '');
    await dovecot.addUser({ username, password: DEFAULT_MAIL_PASSWORD });
    for (let n = 0; n < 5; n += 1) await appendMessage({ dovecot, username, raw: `Subject: ${n}\r\nMessage-ID: <${username}.${n}@example.com>\r\n\r\nbody\r\n` });
    const held = await gate({ targetPort: dovecot.imapsPort });
    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: [`${username}-owner@example.com`] } })).body;
    const account = (
      await system.api<AccountView>('POST', '/v1/accounts', {
        body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: held.port, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
      })
    ).body;
    const nats = await connectNats({ servers: system.stack.natsUrl });
    const mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
    try {
      // The first run waits at the gate, holding the account's lease and a slot of the host.
      await expectEventually(() => expect(held.waiting).toHaveLength(1), { timeoutMs: 30_000 });

      const holderNow = await steal(new Kvm(nats), account.id);
      await expectEventually(async () => expect((await fetcherLines(account.id)).some(({ msg }) => msg === `${lost} lost; the run stops`)).toBe(true), { timeoutMs: 10_000 });
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
      expect(await holderNow()).toMatchObject({ holder: 'other-replica' });
    } finally {
      await nats.close();
      await mongo.close();
      await held.close();
    }
  });
});
