import { fromBinary } from '@bufbuild/protobuf';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM, Events, SendFailedSchema, SendFailureKind, SendRequestedSchema, durableConsumerName, type AccountView, type OutboxItemView, type UserView } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { randomSecretKey, startSystem, type System } from './system';

/**
 * One account's SMTP server failing for a while must not hold up anybody else's mail: a retry that
 * waits longer than a short while is recorded on the item and its send.requested acknowledged (a
 * delayed nak would stay unacknowledged, and at the consumer's max_ack_pending the server hands out no
 * send.requested at all); the due-item sweeper requests it again when it is due.
 */
/** The consumer's max_ack_pending for this test: far below the backlog, which the old delayed naks would have filled. */
const ACK_PENDING_LIMIT = 10;
const BACKLOG = 3 * ACK_PENDING_LIMIT;
const DURABLE = durableConsumerName({ service: 'smtp-sender', event: Events.sendRequested.name });

let system: System;
let failingAccount: AccountView;
let healthyAccount: AccountView;

beforeAll(async () => {
  system = await startSystem({
    services: ['api', 'account-registry', 'smtp-sender'],
    stack: { mail: true },
    env: {
      // Waits of up to 4 s: most are longer than one sweep (0.5 s), so they go through the due-item sweeper.
      SEND_RETRY_BASE_MS: '4000',
      SEND_RETRY_MAX_DELAY_MS: '4000',
      SEND_PENDING_SWEEP_INTERVAL_MS: '500',
      // The stalled-item sweeper would request overdue items too, but only after this hour.
      SEND_STALLED_AFTER_MS: '3600000',
      SEND_RATE_PER_ACCOUNT_PER_MINUTE: '0',
      SEND_RATE_PER_HOST_PER_MINUTE: '0',
    },
  });
  const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Owner', addresses: ['owner@example.com'] } })).body;
  const account = async (name: string, email: string): Promise<AccountView> => {
    const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { name, email, owners: [owner.id], send: { host: '127.0.0.1', port: system.stack.smtp!.port, security: 'starttls', username: 'user1', password: 'password' } } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  failingAccount = await account('Failing', 'failing-account@example.com');
  healthyAccount = await account('Healthy', 'healthy-account@example.com');
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const send = async (accountId: string, subject: string): Promise<OutboxItemView> => {
  const response = await system.api<OutboxItemView>('POST', '/v1/outbox', { body: { accountId, to: ['max@example.org'], subject, text: 'x' }, token: system.tokens.app });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body;
};
const outboxItem = async (id: string): Promise<OutboxItemView> => (await system.api<OutboxItemView>('GET', `/v1/outbox/${id}`, { token: system.tokens.app })).body;

describe('a failing account with a backlog of retries', () => {
  it('should keep sending the other accounts’ mail, bring the retries back when due, and send them once the server recovers', async () => {
    const nats = await connect({ servers: system.stack.natsUrl });
    const rule = { match: 'failing-account@example.com', stage: 'mail' as const, code: 451, message: '4.3.0 Mail server temporarily unavailable' };
    try {
      const jsm = await jetstreamManager(nats);
      expect((await jsm.consumers.info(EVENTS_STREAM.name, DURABLE)).config.max_ack_pending).toBe(10_000);
      // Lowered as an operator could: the handler's own value comes back only when the consumer is provisioned again.
      await jsm.consumers.update(EVENTS_STREAM.name, DURABLE, { max_ack_pending: ACK_PENDING_LIMIT });
      system.stack.smtp!.failureRules.push(rule);

      const backlog: OutboxItemView[] = [];
      for (let n = 0; n < BACKLOG; n++) backlog.push(await send(failingAccount.id, `Backlog ${n}`));
      await expectEventually(
        async () => {
          const items = await Promise.all(backlog.map(({ id }) => outboxItem(id)));
          expect(items.filter((item) => item.attempts >= 1 && item.lastError?.smtpCode === 451)).toHaveLength(BACKLOG);
        },
        { timeoutMs: 60_000 },
      );

      // Every backlog item has failed at least once and keeps failing; another account's mail still goes out at once.
      const other = await send(healthyAccount.id, 'Meanwhile');
      await expectEventually(async () => expect((await outboxItem(other.id)).status).toBe('sent'), { timeoutMs: 10_000 });
      expect((await jsm.consumers.info(EVENTS_STREAM.name, DURABLE)).num_ack_pending).toBeLessThan(ACK_PENDING_LIMIT);

      // Retries come back while the server still fails, each requested with a msg id of its own attempt. (A
      // wait drawn below one sweep, full jitter, is parked in JetStream instead: hence "eventually two".)
      const [first] = backlog;
      const requests = await expectEventually(
        async () => {
          const found = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendRequested.subject })).filter((event) => fromBinary(SendRequestedSchema, event.data).outboxId === first!.id);
          expect(found.filter(({ msgId }) => msgId?.startsWith(`send.requested:${first!.id}:attempt:`)).length).toBeGreaterThanOrEqual(2);
          return found;
        },
        { timeoutMs: 60_000 },
      );
      await expectEventually(async () => expect((await outboxItem(first!.id)).attempts).toBeGreaterThanOrEqual(3), { timeoutMs: 30_000 });
      expect(new Set(requests.map(({ msgId }) => msgId)).size).toBe(requests.length);

      system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);
      await expectEventually(
        async () => {
          const items = await Promise.all(backlog.map(({ id }) => outboxItem(id)));
          expect(items.filter((item) => item.status === 'sent')).toHaveLength(BACKLOG);
        },
        { timeoutMs: 60_000 },
      );
      const atSink = await system.stack.smtp!.messages();
      for (const { messageIdHeader } of backlog) expect(atSink.filter((mail) => mail.raw.toString().includes(`Message-ID: ${messageIdHeader}`))).toHaveLength(1);
    } finally {
      if (system.stack.smtp!.failureRules.includes(rule)) system.stack.smtp!.failureRules.splice(system.stack.smtp!.failureRules.indexOf(rule), 1);
      await nats.close();
    }
  });
});

// Last: it restarts smtp-sender with a keyring that lacks the key the account's password was sealed with.
describe('an account whose password the keyring cannot open', () => {
  it('should count the attempts, show why, and end `failed` with send.failed at the horizon', async () => {
    await system.restart('smtp-sender', { MAILBUS_SECRET_KEY: randomSecretKey(), SEND_RETRY_HORIZON_HOURS: '0.002' });

    const queued = await send(healthyAccount.id, 'Sealed away');

    const failed = await expectEventually(
      async () => {
        const item = await outboxItem(queued.id);
        expect(item.status).toBe('failed');
        return item;
      },
      { timeoutMs: 30_000 },
    );
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    expect(failed.lastError).toMatchObject({ class: 'unknown', text: expect.stringMatching(/could not be prepared for sending: sealed with key \S+, which is not in MAILBUS_SECRET_KEY/) });
    const failures = await expectEventually(async () => {
      const events = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.sendFailed.subject })).map((event) => fromBinary(SendFailedSchema, event.data)).filter((event) => event.outboxId === queued.id);
      expect(events.filter((event) => event.kind === SendFailureKind.PERMANENT)).toHaveLength(1);
      return events;
    });
    expect(failures.at(-1)).toMatchObject({ kind: SendFailureKind.PERMANENT, attempt: failed.attempts, smtpText: expect.stringContaining('not in MAILBUS_SECRET_KEY') });
  });
});
