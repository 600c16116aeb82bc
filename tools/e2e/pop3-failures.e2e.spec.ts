import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { DEFAULT_MAIL_PASSWORD, appendMessage, expectEventually } from '@mailbus/testing';
import { accountRuns } from './account-runs';
import { startPop3Proxy, type Pop3Proxy } from './pop3-proxy';
import { startSystem, type System } from './system';

let system: System;
let owner: UserView;
let mongo: MongoClient;
const proxies: Pop3Proxy[] = [];

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200' } });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['pop3-failures-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 300_000);

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await mongo?.close();
  await system?.stop();
});

const { status, runFinished, syncNow } = accountRuns(() => system);

/** The body line the proxy hangs up on: the server "drops the connection" during that message's RETR. */
const POISON = 'THE-SERVER-HANGS-UP-HERE';
const MAX_ATTEMPTS = 5;
const dovecot = () => system.stack.dovecot!;
const records = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; accountId: string; uidl?: string }>('fetched_messages');
const message = (n: number, to: string, poison: boolean) => `From: sender@example.com\r\nTo: ${to}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}.${to}>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n${poison ? POISON : `Body ${n}`}\r\n`;

/** A Dovecot user with messages 1…count, those in `poison` with the marker; @returns their UIDLs in order. */
async function mailUser({ username, count, poison }: { username: string; count: number; poison: number[] }): Promise<string[]> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
  for (let n = 1; n <= count; n += 1) await appendMessage({ dovecot: dovecot(), username, raw: message(n, `${username}@example.com`, poison.includes(n)) });
  return onServer(username);
}

async function proxied(rules: Pop3Proxy['rules']): Promise<Pop3Proxy> {
  const proxy = await startPop3Proxy({ targetPort: dovecot().pop3Port, rules });
  proxies.push(proxy);
  return proxy;
}

async function createAccount({ username, port, intervalSeconds = 3600 }: { username: string; port: number; intervalSeconds?: number }): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { protocol: 'pop3', host: '127.0.0.1', port, security: 'none', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** The UIDLs on the server now, as another POP3 client sees them (straight to Dovecot). */
async function onServer(username: string): Promise<string[]> {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot().pop3Port, security: 'none', timeoutMs: 5_000 });
  try {
    await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
    return (await client.uidl()).map(({ uid }) => uid);
  } finally {
    await client.quit();
  }
}

const storedUidls = async (accountId: string): Promise<string[]> => (await records().find({ accountId }).toArray()).map(({ uidl }) => uidl!).sort();

describe('POP3 message the server drops the connection on, across runs', () => {
  it('should list it in the status with its attempts, give it up after the last one, and then leave it on the server untouched', async () => {
    const uidls = await mailUser({ username: 'popgiveup', count: 4, poison: [3] });
    const poison = uidls[2]!;
    const proxy = await proxied({ cutOnServerText: POISON });
    const created = Date.now();
    const account = await createAccount({ username: 'popgiveup', port: proxy.port });

    const first = await runFinished(account.id, created);
    expect(first.state, JSON.stringify(first)).toBe('idle');
    expect(first.lastRun).toMatchObject({ fetched: 3, skippedMessages: 1 });
    expect(first.failedMessages).toEqual([{ uidl: poison, attempts: 1, givenUp: false, at: expect.any(String), error: expect.stringMatching(/dropped the connection while sending this message .*\(attempt 1 of 5\)/) }]);
    expect(first.failedMessageCount).toBe(1);

    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await runFinished(account.id, await syncNow(account.id));
      expect(current.lastRun, JSON.stringify(current)).toMatchObject({ fetched: 0, skippedMessages: 1 });
      expect(current.failedMessages).toEqual([expect.objectContaining({ uidl: poison, attempts: attempt, givenUp: attempt === MAX_ATTEMPTS })]);
    }
    expect((await status(account.id)).failedMessages?.[0]?.error).toMatch(/given up/);

    // Given up: not asked for again (no hang-up), never deleted, still listed.
    const cuts = proxy.cuts;
    const after = await runFinished(account.id, await syncNow(account.id));
    expect(after.state).toBe('idle');
    expect(after.lastRun).toMatchObject({ fetched: 0, skippedMessages: 0 });
    expect(proxy.cuts).toBe(cuts);
    expect(after.failedMessages).toEqual([expect.objectContaining({ uidl: poison, attempts: MAX_ATTEMPTS, givenUp: true })]);
    expect(await onServer('popgiveup')).toEqual([poison]);
    expect(await storedUidls(account.id)).toEqual(uidls.filter((uidl) => uidl !== poison).sort());
  });

  it('should take a message off the list once it fetches fine', async () => {
    const uidls = await mailUser({ username: 'popheals', count: 2, poison: [2] });
    const proxy = await proxied({ cutOnServerText: POISON });
    const created = Date.now();
    const account = await createAccount({ username: 'popheals', port: proxy.port });
    const first = await runFinished(account.id, created);
    expect(first.failedMessages).toEqual([expect.objectContaining({ uidl: uidls[1], attempts: 1 })]);

    proxy.rules = {};
    const healed = await runFinished(account.id, await syncNow(account.id));
    expect(healed.lastRun).toMatchObject({ fetched: 1, skippedMessages: 0 });
    expect(healed.failedMessages).toBeUndefined();
    expect(healed.failedMessageCount).toBeUndefined();
    expect(await onServer('popheals')).toEqual([]);
    expect(await storedUidls(account.id)).toEqual([...uidls].sort());
  });

  it('should get the healthy mail in by the second run when more messages are poison than a run may reconnect, and stop asking for the poison once all are given up', async () => {
    // 12 poison messages, the newest; the two oldest are fine. A run reconnects at most 10 times.
    const uidls = await mailUser({ username: 'popmany', count: 14, poison: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] });
    const [fineA, fineB, ...poison] = uidls;
    const proxy = await proxied({ cutOnServerText: POISON });
    const created = Date.now();
    const account = await createAccount({ username: 'popmany', port: proxy.port });

    const first = await runFinished(account.id, created);
    expect(first.lastRun, JSON.stringify(first)).toMatchObject({ fetched: 0 });
    const second = await runFinished(account.id, await syncNow(account.id));
    expect(second.state, JSON.stringify(second)).toBe('idle');
    expect(await storedUidls(account.id)).toEqual([fineA!, fineB!].sort());
    expect((await onServer('popmany')).sort()).toEqual([...poison].sort());

    // Every run gets further: each poison message is tried until it is given up.
    let current = second;
    for (let run = 3; run <= 12 && current.failedMessages?.filter(({ givenUp }) => givenUp).length !== poison.length; run += 1) current = await runFinished(account.id, await syncNow(account.id));
    expect(current.failedMessageCount).toBe(poison.length);
    expect(current.failedMessages?.map(({ uidl, givenUp }) => [uidl, givenUp]).sort()).toEqual(poison.map((uidl) => [uidl, true]).sort());

    const cuts = proxy.cuts;
    const quiet = await runFinished(account.id, await syncNow(account.id));
    expect(quiet.lastRun).toMatchObject({ fetched: 0, skippedMessages: 0 });
    expect(proxy.cuts).toBe(cuts);
    expect((await onServer('popmany')).sort()).toEqual([...poison].sort());
  });
});

describe('POP3 LOGIN-DELAY', () => {
  it('should not retry a run that logged in and then failed before the LOGIN-DELAY is over, not even for "sync now"', async () => {
    await mailUser({ username: 'popdelayfail', count: 2, poison: [] });
    // The login works; the run fails right after it (the connection drops at LIST).
    const proxy = await proxied({ addCapability: 'LOGIN-DELAY 900', cutOnCommand: 'LIST' });
    const created = Date.now();
    const account = await createAccount({ username: 'popdelayfail', port: proxy.port, intervalSeconds: 60 });

    const failed = await runFinished(account.id, created);
    expect(failed.state, JSON.stringify(failed)).toBe('error');
    expect(proxy.logins).toHaveLength(1);
    const allowedAt = proxy.logins[0]! + 900_000;
    // The backoff after a first failure is about a minute; the server allows the next login in 15.
    expect(Date.parse(failed.nextRunAt!), JSON.stringify(failed)).toBeGreaterThanOrEqual(allowedAt);

    // "Sync now" makes the account due at once; the run does not log in and waits for the delay again.
    const lastRunAt = failed.lastRunAt;
    await syncNow(account.id);
    const held = await expectEventually(async () => {
      const current = await status(account.id);
      expect(Date.parse(current.nextRunAt ?? '0'), JSON.stringify(current)).toBeGreaterThanOrEqual(allowedAt);
      return current;
    });
    expect(held.lastRunAt).toBe(lastRunAt);
    expect(proxy.logins).toHaveLength(1);
  });

  it('should not log in again within a run after the server dropped the connection, and still give the poison up and delete the rest over the following runs', async () => {
    const uidls = await mailUser({ username: 'popdelaydrop', count: 3, poison: [2] });
    const poison = uidls[1]!;
    const proxy = await proxied({ addCapability: 'LOGIN-DELAY 2', cutOnServerText: POISON });
    const account = await createAccount({ username: 'popdelaydrop', port: proxy.port });

    // The runs follow each other on their own (work is left), each after the server's delay.
    const done = await expectEventually(
      async () => {
        expect(await onServer('popdelaydrop')).toEqual([poison]);
        // Read after the server: the run that deleted has finished (QUIT comes before its state write).
        const current = await status(account.id);
        expect(current.state, JSON.stringify(current)).toBe('idle');
        expect(current.failedMessages).toEqual([expect.objectContaining({ uidl: poison, attempts: MAX_ATTEMPTS, givenUp: true })]);
        return current;
      },
      { timeoutMs: 100_000, intervalMs: 250 },
    );
    expect(done.consecutiveFailures).toBe(0);
    expect(await storedUidls(account.id)).toEqual([uidls[0]!, uidls[2]!].sort());
    // Never a login before the server allowed it: one per run, at least 2 s apart.
    const gaps = proxy.logins.slice(1).map((at, index) => at - proxy.logins[index]!);
    expect(gaps.length).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2_000);
  }, 120_000);
});
