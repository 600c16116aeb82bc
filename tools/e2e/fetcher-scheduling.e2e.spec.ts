import { fromBinary } from '@bufbuild/protobuf';
import { createServer, type Server, type Socket } from 'node:net';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountSyncFailedSchema, Events, MailErrorClass, type AccountSyncFailed, type AccountView, type ConnectionTestView, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { accountRuns } from './account-runs';
import { startSystem, type System } from './system';

// One account at a time, so the order in which due accounts start is observable; an auth-failure
// limit of 0.36 s, so that disabling needs only a second failed run; a mail timeout long enough
// that a run against a silent server ends only when the test closes the connection.
const DISABLE_AFTER_HOURS = 0.0001;

let system: System;
let owner: UserView;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem({
    services: ['api', 'account-registry', 'fetcher'],
    stack: { mail: true },
    env: { SCHEDULER_TICK_MS: '200', FETCH_CONCURRENCY: '1', MAIL_TIMEOUT_MS: '120000', FETCH_DISABLE_AFTER_AUTH_FAILURES_HOURS: String(DISABLE_AFTER_HOURS) },
  });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['sched-owner@example.com'] } })).body;
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const { runFinished, syncNow } = accountRuns(() => system);

const dovecot = () => system.stack.dovecot!;
const syncStates = () => mongo.db(system.env.MONGODB_DB).collection<{ _id: string; priority?: boolean; nextRunAt?: Date; lastRunAt?: Date }>('account_sync_states');

async function mailUser(username: string): Promise<void> {
  await dovecot().addUser({ username, password: DEFAULT_MAIL_PASSWORD });
}

async function createAccount(username: string, receive: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<AccountView> {
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: {
      name: username,
      email: `${username}@example.com`,
      owners: [owner.id],
      ...extra,
      receive: { host: '127.0.0.1', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, ...receive },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const dovecotImaps = () => ({ protocol: 'imap', port: dovecot().imapsPort, security: 'tls' });

const status = async (accountId: string): Promise<SyncStatusView> => (await system.api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;

async function syncFailures(accountId: string): Promise<AccountSyncFailed[]> {
  return (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.accountSyncFailed.subject }))
    .map((event) => fromBinary(AccountSyncFailedSchema, event.data))
    .filter((event) => event.accountId === accountId);
}

/** Values of a fetcher metric whose labels include `label` (all series when not given). */
async function metric(name: string, label = ''): Promise<number[]> {
  const text = await (await fetch(`http://127.0.0.1:${system.port('fetcher')}/metrics`)).text();
  const line = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  return [...text.matchAll(line)].filter((match) => (match[1] ?? '').includes(label)).map((match) => Number(match[2]));
}

/** A TCP server that accepts and never answers: a run against it holds the only run slot until we close the socket. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** Sync now until a run leaves the account disabled (each run is one more AUTH failure). */
async function failUntilDisabled(accountId: string): Promise<SyncStatusView> {
  return expectEventually(
    async () => {
      const current = await runFinished(accountId, await syncNow(accountId));
      expect(current.state).toBe('disabled');
      return current;
    },
    { timeoutMs: 60_000 },
  );
}

describe('priority and connection metrics', () => {
  it('should start priority accounts first, then those of active users, when more are due than may run, keeping priority in step with the account', async () => {
    const silent = await silentServer();
    try {
      // The one run slot is taken by an account whose server never greets.
      const hung = await createAccount('hungslot', { protocol: 'imap', host: 'localhost', port: silent.port, security: 'none' });
      await expectEventually(async () => expect((await status(hung.id)).state).toBe('syncing'));
      await expectEventually(async () => expect(await metric('mailbus_fetch_connections_open', 'host="localhost"')).toEqual([1]));
      await expectEventually(async () => expect(await metric('mailbus_fetch_accounts', 'state="syncing"')).toEqual([1]), { timeoutMs: 15_000 });

      const names = ['demoted', 'plaina', 'promoted', 'plainb', 'prioritized'];
      for (const name of names) await mailUser(name);
      const demoted = await createAccount('demoted', dovecotImaps(), { priority: true });
      const plainA = await createAccount('plaina', dovecotImaps());
      const promoted = await createAccount('promoted', dovecotImaps());
      const onLeave = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'On leave', addresses: ['on-leave@example.com'], active: false } })).body;
      const plainB = await createAccount('plainb', dovecotImaps(), { owners: [onLeave.id] });
      const prioritized = await createAccount('prioritized', dovecotImaps(), { priority: true });
      expect((await system.api('PATCH', `/v1/accounts/${promoted.id}`, { body: { priority: true } })).status).toBe(200);
      expect((await system.api('PATCH', `/v1/accounts/${demoted.id}`, { body: { priority: false } })).status).toBe(200);
      const ids = [demoted, plainA, promoted, plainB, prioritized].map((account) => account.id);

      // All five are due and none has run; the fetcher's copy of priority follows the updates.
      await expectEventually(async () => {
        const states = await syncStates()
          .find({ _id: { $in: ids } })
          .toArray();
        expect(states.map(({ _id, priority, lastRunAt }) => ({ _id, priority, ran: Boolean(lastRunAt) })).sort((a, b) => a._id.localeCompare(b._id))).toEqual(
          [
            { _id: demoted.id, priority: false, ran: false },
            { _id: plainA.id, priority: false, ran: false },
            { _id: promoted.id, priority: true, ran: false },
            { _id: plainB.id, priority: false, ran: false },
            { _id: prioritized.id, priority: true, ran: false },
          ].sort((a, b) => a._id.localeCompare(b._id)),
        );
        expect(states.every((state) => state.nextRunAt && state.nextRunAt.getTime() <= Date.now())).toBe(true);
      });

      // Free the slot: the hung run fails and the due accounts start one by one.
      const released = Date.now();
      for (const socket of silent.sockets) socket.destroy();
      const finished = await Promise.all(ids.map((id) => runFinished(id, released)));
      expect(finished.every((state) => state.state === 'idle')).toBe(true);
      const order = [...finished].sort((a, b) => Date.parse(a.lastRunAt!) - Date.parse(b.lastRunAt!)).map((state) => state.accountId);
      expect(order.slice(0, 2).sort()).toEqual([promoted.id, prioritized.id].sort());
      expect(order.slice(2, 4).sort()).toEqual([demoted.id, plainA.id].sort());
      expect(order[4]).toBe(plainB.id);

      expect((await runFinished(hung.id, released)).state).toBe('error');
      await expectEventually(async () => expect(await metric('mailbus_fetch_connections_open', 'host="localhost"')).toEqual([]));
    } finally {
      silent.server.close();
    }
  });

  it('should count accounts by state and show no lag when every account is scheduled ahead', async () => {
    // From the previous test: five idle, the hung one in error, nothing due (the next runs are an hour away).
    await expectEventually(
      async () => {
        expect(await metric('mailbus_fetch_accounts', 'state="idle"')).toEqual([5]);
        expect(await metric('mailbus_fetch_accounts', 'state="error"')).toEqual([1]);
        expect(await metric('mailbus_fetch_accounts', 'state="syncing"')).toEqual([0]);
        expect(await metric('mailbus_fetch_accounts', 'state="disabled"')).toEqual([0]);
        expect(await metric('mailbus_fetch_schedule_lag_seconds')).toEqual([0]);
        expect(await metric('mailbus_fetch_accounts_overdue')).toEqual([0]);
      },
      { timeoutMs: 15_000 },
    );
    const [successAge] = await metric('mailbus_fetch_oldest_success_age_seconds');
    expect(successAge).toBeGreaterThan(0);
    expect(successAge).toBeLessThan(300);
  });
});

describe('active hours', () => {
  it('should wait for the next opening, run at once on sync now anyway, and then wait for the opening again', async () => {
    await mailUser('nighthours');
    const now = new Date();
    const fromHour = (now.getUTCHours() + 12) % 24;
    const opening = new Date(now);
    opening.setUTCHours(now.getUTCHours() + 12, 0, 0, 0);
    const hh = (hour: number) => String(hour).padStart(2, '0');
    const account = await createAccount('nighthours', { ...dovecotImaps(), activeHours: { from: `${hh(fromHour)}:00`, to: `${hh((fromHour + 1) % 24)}:00` } });

    const waiting = await expectEventually(async () => {
      const current = await status(account.id);
      expect(current.nextRunAt).toBeDefined();
      return current;
    });
    expect(waiting).toMatchObject({ state: 'idle', nextRunAt: opening.toISOString() });
    expect(waiting.lastRunAt).toBeUndefined();

    const ran = await runFinished(account.id, await syncNow(account.id));
    expect(ran).toMatchObject({ state: 'idle', nextRunAt: opening.toISOString() });
    expect(ran.lastSuccessAt).toBeDefined();
  });
});

describe('auth failures', () => {
  it('should set error at once, disable the account after the limit with the reason kept, and enable it again on an update', async () => {
    await mailUser('authupdate');
    const created = Date.now();
    const account = await createAccount('authupdate', { ...dovecotImaps(), password: 'not-the-password' });
    const first = await runFinished(account.id, created);
    expect(first).toMatchObject({ state: 'error', consecutiveFailures: 1, error: { class: 'auth' } });
    expect(first.disabled).toBeUndefined();

    const disabled = await failUntilDisabled(account.id);
    expect(disabled).toMatchObject({ state: 'disabled', error: { class: 'auth' }, disabled: { reason: 'auth', since: first.error!.at } });
    expect(disabled.error!.message).toMatch(/auth/i);
    expect(disabled.nextRunAt).toBeUndefined();
    expect((await syncStates().findOne({ _id: account.id }))?.nextRunAt).toBeUndefined();

    const events = await syncFailures(account.id);
    expect(events[0]).toMatchObject({ errorClass: MailErrorClass.AUTH, consecutiveFailures: 1, accountDisabled: false });
    expect(events[0]?.nextAttemptAt).toBeDefined();
    const last = events.at(-1)!;
    expect(last).toMatchObject({ errorClass: MailErrorClass.AUTH, accountDisabled: true, consecutiveFailures: disabled.consecutiveFailures });
    expect(last.nextAttemptAt).toBeUndefined();
    expect(new Date(Number(last.failingSince!.seconds) * 1000 + last.failingSince!.nanos / 1e6).toISOString()).toBe(first.error!.at);
    await expectEventually(async () => expect(await metric('mailbus_fetch_accounts', 'state="disabled"')).toEqual([1]), { timeoutMs: 15_000 });

    const updated = Date.now();
    expect((await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { password: DEFAULT_MAIL_PASSWORD } } })).status).toBe(200);
    const enabled = await expectEventually(async () => {
      const current = await runFinished(account.id, updated);
      expect(current.lastSuccessAt).toBeDefined();
      return current;
    });
    expect(enabled).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    expect(enabled.disabled).toBeUndefined();
    expect(enabled.error).toBeUndefined();
  });

  it('should enable a disabled account again when a connection test of its saved settings passes', async () => {
    // The mailbox does not exist yet: every login fails with AUTH until it is created.
    const created = Date.now();
    const account = await createAccount('authlater', dovecotImaps());
    expect((await runFinished(account.id, created)).error?.class).toBe('auth');
    await failUntilDisabled(account.id);

    const failing = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
    expect(failing.body.receive?.outcome).toBe('auth');

    await mailUser('authlater');
    const tested = Date.now();
    const passing = await system.api<ConnectionTestView>('POST', `/v1/accounts/${account.id}/test`);
    expect(passing.body.receive?.outcome).toBe('ok');
    const enabled = await expectEventually(async () => {
      const current = await runFinished(account.id, tested);
      expect(current.lastSuccessAt).toBeDefined();
      return current;
    });
    expect(enabled).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    expect(enabled.disabled).toBeUndefined();
  });
});
