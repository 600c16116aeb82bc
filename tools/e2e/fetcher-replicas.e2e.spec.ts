import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { startSystem, type System } from './system';

const ACCOUNTS = 50;
const MAILBOXES = 10;
const MESSAGES_PER_MAILBOX = 5;
const HOST_CAP = 3;

let system: System;
let proxy: CountingProxy;

beforeAll(async () => {
  const env = { FETCH_HOST_CONNECTION_CAP: String(HOST_CAP), FETCH_CONCURRENCY: '8', SCHEDULER_TICK_MS: '100' };
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env });
  await system.addReplica('fetcher', env);
  proxy = await startCountingProxy({ targetPort: system.stack.dovecot!.imapsPort });
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await system?.stop();
});

interface RunLine {
  msg: string;
  accountId: string;
  owner: string;
  startedAt: string;
  ms: number;
}

describe('two fetcher replicas', () => {
  it('should fetch every message of 50 accounts exactly once, one replica per account, within the per-host connection cap', async () => {
    const dovecot = system.stack.dovecot!;
    for (let box = 0; box < MAILBOXES; box += 1) {
      await dovecot.addUser({ username: `shared${box}`, password: DEFAULT_MAIL_PASSWORD });
      for (let n = 0; n < MESSAGES_PER_MAILBOX; n += 1) await appendMessage({ dovecot, username: `shared${box}`, raw: `Subject: ${box}/${n}\r\nMessage-ID: <${box}.${n}@example.com>\r\n\r\nbody\r\n` });
    }
    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['replica-owner@example.com'] } })).body;
    const accounts: AccountView[] = [];
    for (let index = 0; index < ACCOUNTS; index += 1) {
      const response = await system.api<AccountView>('POST', '/v1/accounts', {
        body: { name: `A${index}`, email: `replica${index}@example.com`, owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: proxy.port, security: 'tls', username: `shared${index % MAILBOXES}`, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
      });
      expect(response.status).toBe(201);
      accounts.push(response.body);
    }

    const client = await new MongoClient(system.env.MONGODB_URL!).connect();
    try {
      const records = client.db(system.env.MONGODB_DB).collection('fetched_messages');
      await expectEventually(async () => expect(await records.countDocuments({})).toBe(ACCOUNTS * MESSAGES_PER_MAILBOX), { timeoutMs: 60_000, intervalMs: 250 });
      expect(new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map(({ _id }) => String(_id))).size).toBe(ACCOUNTS * MESSAGES_PER_MAILBOX);
    } finally {
      await client.close();
    }

    // Each message was stored and published once across both replicas: their counters add up exactly.
    const fetchedBy = async (port: number): Promise<number> => Number(/^mailbus_fetch_messages_total\{[^}]*protocol="imap"[^}]*\} (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1] ?? 0);
    const perReplica = await Promise.all([system.port('fetcher'), system.port('fetcher-2' as never)].map(fetchedBy));
    expect(perReplica[0]! + perReplica[1]!).toBe(ACCOUNTS * MESSAGES_PER_MAILBOX);
    expect(perReplica.every((count) => count > 0), `both replicas worked: ${perReplica.join(' + ')}`).toBe(true);

    expect(proxy.peak, 'connections open at once to the one mail host').toBeLessThanOrEqual(HOST_CAP);
    expect(proxy.total).toBeGreaterThanOrEqual(ACCOUNTS);

    // No account was worked by both replicas at the same time (runs from the logs of both).
    const runs = (await system.logs())
      .split('\n')
      .filter((line) => line.includes('"account run finished"'))
      .map((line) => JSON.parse(line) as RunLine);
    for (const account of accounts) {
      const spans = runs.filter((run) => run.accountId === account.id).map((run) => ({ owner: run.owner, start: Date.parse(run.startedAt), end: Date.parse(run.startedAt) + run.ms }));
      expect(spans.length).toBeGreaterThan(0);
      for (const a of spans) for (const b of spans) if (a !== b && a.owner !== b.owner) expect(a.end <= b.start || b.end <= a.start).toBe(true);
    }
  }, 120_000);
});
