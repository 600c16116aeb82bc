import { fromBinary } from '@bufbuild/protobuf';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_STREAM, Events, MessageDeliveredSchema, MessageFetchedSchema, type AccountView, type OutboxItemView, type ServiceName, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, expectEventually, seedMaildir, type RestartableProcess } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

/**
 * SPEC §3.2 under a restart of NATS or of the store: each is killed (SIGKILL) while the fetcher works
 * through an IMAP backlog and message-router routes it, and started again on the same port and data.
 * While it is away the api answers 503 with Retry-After and the fetcher is not ready; afterwards every
 * message is there exactly once (fetch record, message.fetched, message, delivery, message.delivered),
 * nothing was dead-lettered, the account never went into error, and mail goes out again.
 */
const SERVICES: ServiceName[] = ['api', 'account-registry', 'fetcher', 'message-router', 'smtp-sender'];
/** Large enough that a kill lands inside the backlog on a busy machine too (a FETCH group lands 100 at a time). */
const BACKLOG = 1_500;

let system: System;
let mongo: MongoClient;
let anna: UserView;

beforeAll(async () => {
  system = await startSystem({
    services: SERVICES,
    // Our own NATS and FerretDB even when NATS_URL or MONGODB_URL are set: this test kills them. Without
    // _id indexes FerretDB scans a collection for every lookup, and routing 3,000 messages takes minutes.
    stack: { mail: true, ownServers: true, idIndexes: true },
    env: { SCHEDULER_TICK_MS: '200', FETCH_MAX_MESSAGES_PER_RUN: String(BACKLOG), FETCH_HOST_CONNECTION_CAP: '20', FETCH_IDLE_CONNECTIONS: '0' },
  });
  mongo = await new MongoClient(system.env.MONGODB_URL!, { serverSelectionTimeoutMS: 2_000 }).connect();
  anna = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Anna', addresses: ['anna@example.com'] } })).body;
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const db = () => mongo.db(system.env.MONGODB_DB);
const count = (collection: string, accountId: string) => db().collection(collection).countDocuments({ accountId });
const mail = (user: string, n: number) => Buffer.from(`From: sender${n}@example.org\r\nTo: anna@example.com\r\nSubject: ${user} ${n}\r\nMessage-ID: <${user}-${n}@example.org>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n${'Body line\r\n'.repeat(20)}`);

async function createAccount(username: string): Promise<AccountView> {
  const smtp = system.stack.smtp!;
  const response = await system.api<AccountView>('POST', '/v1/accounts', {
    body: {
      name: username,
      email: `${username}@example.com`,
      owners: [anna.id],
      receive: { protocol: 'imap', host: '127.0.0.1', port: system.stack.dovecot!.imapsPort, security: 'tls', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 },
      send: { host: '127.0.0.1', port: smtp.port, security: 'starttls', username: 'user1', password: 'password' },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const readiness = async (service: ServiceName): Promise<number> => (await fetch(`http://127.0.0.1:${system.port(service)}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status;

async function interruptedRuns(): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${system.port('fetcher')}/metrics`)).text();
  return Number(/^mailbus_fetch_run_errors_total\{[^}]*class="internal"[^}]*\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
}

async function deadLetters(): Promise<number> {
  const nc = await connect({ servers: system.stack.natsUrl });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(DEAD_LETTER_STREAM.name).catch(() => undefined);
    return info?.state.messages ?? 0;
  } finally {
    await nc.close();
  }
}

/** Seeds the backlog, lets the fetcher start on it, kills `server` inside it; runs `whileDown`, restarts it. */
async function outageDuringBacklog({ username, server, whileDown }: { username: string; server: RestartableProcess; whileDown: () => Promise<void> }): Promise<AccountView> {
  await seedMaildir({ dovecot: system.stack.dovecot!, username, password: DEFAULT_MAIL_PASSWORD, messages: Array.from({ length: BACKLOG }, (_, n) => mail(username, n)) });
  const interruptedBefore = await interruptedRuns();
  const account = await createAccount(username);
  const storedAtKill = await expectEventually(
    async () => {
      const stored = await count('fetched_messages', account.id);
      expect(stored).toBeGreaterThan(0);
      return stored;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  await server.kill();
  expect(storedAtKill, 'the kill must land inside the backlog').toBeLessThan(BACKLOG);

  try {
    await whileDown();
    // The run in flight ends as an interruption (class internal), not as the account's failure.
    await expectEventually(async () => expect(await interruptedRuns()).toBeGreaterThan(interruptedBefore), { timeoutMs: 60_000, intervalMs: 200 });
  } finally {
    await server.start();
  }
  await expectEventually(async () => expect(await Promise.all(SERVICES.map(readiness))).toEqual(SERVICES.map(() => 200)), { timeoutMs: 60_000, intervalMs: 250 });
  return account;
}

async function expectEveryMessageOnce(account: AccountView): Promise<void> {
  await expectEventually(
    async () => {
      const counts = { records: await count('fetched_messages', account.id), messages: await count('messages', account.id), deliveries: await count('deliveries', account.id) };
      expect(counts).toEqual({ records: BACKLOG, messages: BACKLOG, deliveries: BACKLOG });
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
  // An event whose handler was cut off by the kill comes again after the ack wait (30 s).
  await expectEventually(
    async () => {
      const fetched = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageFetched.subject })).map((event) => fromBinary(MessageFetchedSchema, event.data)).filter((event) => event.accountId === account.id);
      const delivered = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageDelivered.subject })).map((event) => fromBinary(MessageDeliveredSchema, event.data)).filter((event) => event.accountId === account.id);
      expect({ fetched: fetched.length, distinctFetched: new Set(fetched.map((event) => event.fetchKey)).size, delivered: delivered.length, distinctDelivered: new Set(delivered.map((event) => event.messageIdHeader)).size }).toEqual({
        fetched: BACKLOG,
        distinctFetched: BACKLOG,
        delivered: BACKLOG,
        distinctDelivered: BACKLOG,
      });
    },
    { timeoutMs: 90_000, intervalMs: 2_000 },
  );
  expect(await deadLetters()).toBe(0);
  const status = await expectEventually(
    async () => {
      const current = (await system.api<SyncStatusView>('GET', `/v1/accounts/${account.id}/status`)).body;
      expect(current).toMatchObject({ state: 'idle', fetchedTotal: BACKLOG });
      return current;
    },
    { timeoutMs: 60_000 },
  );
  expect(status.error).toBeUndefined();
}

async function expectUnavailable(response: Promise<{ status: number; headers: Headers; body: unknown }>, dependency: string): Promise<void> {
  const { status, headers, body } = await response;
  expect(status, JSON.stringify(body)).toBe(503);
  expect(headers.get('retry-after')).toMatch(/^\d+$/);
  expect(JSON.stringify(body)).toContain(dependency);
}

const OUTAGES = [
  {
    server: 'NATS',
    username: 'outagenats',
    crash: () => system.stack.servers.nats!,
    dependency: 'message bus',
    request: () => system.api('POST', '/v1/outbox', { body: { userId: anna.id, to: ['max@example.org'], text: 'while NATS is away' }, token: system.tokens.app }),
  },
  { server: 'the store', username: 'outagestore', crash: () => system.stack.servers.ferretdb!, dependency: 'database', request: () => system.api('GET', `/v1/users/${anna.id}`) },
];

describe.each(OUTAGES)('a restart of $server in the middle of a backlog', ({ username, crash, dependency, request }) => {
  it('should answer 503 while it is away and end with every message fetched, routed and announced exactly once', async () => {
    const account = await outageDuringBacklog({
      username,
      server: crash(),
      whileDown: async () => {
        await expectEventually(async () => expect(await readiness('fetcher')).toBe(503), { timeoutMs: 30_000, intervalMs: 200 });
        await expectUnavailable(request(), dependency);
      },
    });
    await expectEveryMessageOnce(account);
  }, 420_000);
});

describe('a restart of the store while a mail is being sent', () => {
  it('should record the mail sent once the store is back, and not send it again', async () => {
    const smtp = system.stack.smtp!;
    const store = system.stack.servers.ferretdb!;
    const hold = smtp.holdData('held@example.org');
    const queued = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: { userId: anna.id, from: 'outagenats@example.com', to: ['held@example.org'], subject: 'held', text: 'x' }, token: system.tokens.app });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    await hold.arrived;

    await store.kill();
    try {
      hold.release();
      // The server has accepted the mail; smtp-sender waits for the store to record that.
      await expectEventually(
        async () => {
          const waiting = (await system.logs()).split('\n').filter((line) => line.includes('not recorded yet') && line.includes(queued.body.id));
          expect(waiting.length).toBeGreaterThan(0);
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    } finally {
      await store.start();
    }

    await expectEventually(async () => expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.body.id}`, { token: system.tokens.app })).body.status).toBe('sent'), { timeoutMs: 60_000 });
    // Had the attempt failed on the outage, the event's next delivery would have sent it again before recording it.
    const copies = (await smtp.messages()).filter((mail) => mail.raw.toString().includes(`Message-ID: ${queued.body.messageIdHeader}`));
    expect(copies).toHaveLength(1);
  }, 120_000);
});

describe('after the outages', () => {
  it('should send mail again', async () => {
    const queued = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: { userId: anna.id, from: 'outagenats@example.com', to: ['max@example.org'], subject: 'after the outages', text: 'x' }, token: system.tokens.app });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    await expectEventually(async () => expect((await system.api<OutboxItemView>('GET', `/v1/outbox/${queued.body.id}`, { token: system.tokens.app })).body.status).toBe('sent'), { timeoutMs: 60_000 });
  });
});
