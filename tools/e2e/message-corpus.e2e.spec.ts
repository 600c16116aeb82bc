import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, expectEventually, seedMaildir } from '@mailbus/testing';
import { startSystem, type System } from './system';

/**
 * Every message of the corpus (1,658 real-world messages from other mail software's test suites,
 * libs/mime/test/fixtures/corpus) goes through Dovecot, the fetcher and message-router: each must end
 * delivered, or quarantined with a reason, with no crash, no hang and no dead-lettered event.
 */
const CORPUS = join(__dirname, '../../libs/mime/test/fixtures/corpus');

let system: System;
let mongo: MongoClient;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher', 'message-router'], stack: { mail: true }, env: { SCHEDULER_TICK_MS: '200', FETCH_HOST_CONNECTION_CAP: '20' } });
  mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await system?.stop();
});

const corpusFiles = async (): Promise<string[]> => {
  const [, ...rows] = (await readFile(join(CORPUS, 'manifest.tsv'), 'utf8')).split('\n').filter((line) => line.trim());
  return rows.map((row) => row.split('\t')[0]!.replace(/^shared\//, ''));
};

describe('the corpus end to end', () => {
  it('should deliver or quarantine with a reason every one of the 1,658 messages', async () => {
    const files = await corpusFiles();
    expect(files).toHaveLength(1658);
    await seedMaildir({ dovecot: system.stack.dovecot!, username: 'corpus', password: DEFAULT_MAIL_PASSWORD, messages: await Promise.all(files.map((file) => readFile(join(CORPUS, file)))) });
    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Corpus Owner', addresses: ['corpus-owner@example.com'] } })).body;
    const started = Date.now();
    const account = (
      await system.api<AccountView>('POST', '/v1/accounts', {
        body: { name: 'corpus', email: 'corpus@example.com', owners: [owner.id], receive: { protocol: 'imap', host: '127.0.0.1', port: system.stack.dovecot!.imapsPort, security: 'tls', username: 'corpus', password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600 } },
      })
    ).body;
    const db = mongo.db(system.env.MONGODB_DB);

    // Every file fetched and its message.fetched handled by the router. Copies of one mail (the corpus
    // has files sharing a Message-ID) are one message record of the account, so records ≤ files.
    const routed = async (): Promise<number> => {
      const metrics = await (await fetch(`http://127.0.0.1:${system.port('message-router')}/metrics`)).text();
      return Number(/^mailbus_events_handled_total\{[^}]*event="message\.fetched"[^}]*outcome="ack"[^}]*\} ([0-9.e+]+)$/m.exec(metrics)?.[1] ?? 0);
    };
    await expectEventually(
      async () => {
        expect(await db.collection('fetched_messages').countDocuments({ accountId: account.id })).toBe(files.length);
        expect(await routed()).toBeGreaterThanOrEqual(files.length);
      },
      { timeoutMs: Number(process.env.CORPUS_TIMEOUT_MS ?? 600_000), intervalMs: 1_000 },
    );
    const seconds = (Date.now() - started) / 1000;

    const messages = await db.collection('messages').find({ accountId: account.id }, { projection: { identity: 1, parseError: 1, attachments: 1, calendar: 1, 'spam.spam': 1, html: 1, htmlHasRemoteContent: 1 } }).toArray();
    const deliveries = await db.collection('deliveries').find({ accountId: account.id }, { projection: { messageId: 1, userId: 1, folder: 1, rule: 1, published: 1 } }).toArray();
    // One delivery per user and Message-ID: copies of one mail in the corpus share theirs.
    const identities = new Set(messages.map(({ identity }) => identity as string));
    expect(identities.size).toBe(messages.length);
    expect(messages.length).toBeLessThanOrEqual(files.length);
    expect(deliveries).toHaveLength(identities.size);
    expect(deliveries.every(({ published }) => published === true)).toBe(true);
    const identityOf = new Map(messages.map(({ _id, identity }) => [String(_id), identity as string]));
    const deliveredIdentities = new Set(deliveries.map(({ messageId }) => identityOf.get(messageId as string)));
    expect([...identities].filter((identity) => !deliveredIdentities.has(identity))).toEqual([]);

    const counts: Record<string, number> = {};
    const count = (key: string): void => void (counts[key] = (counts[key] ?? 0) + 1);
    for (const message of messages) {
      if (message.parseError) count(`quarantined: ${String(message.parseError)}`);
      else count('delivered, parsed');
      if ((message.attachments as unknown[]).length > 0) count('  with attachments');
      if (message.calendar) count('  with a calendar invitation');
      if ((message.spam as { spam: boolean }).spam) count('  with a spam verdict');
      if (message.html !== undefined) count('  with sanitised HTML');
      if (message.htmlHasRemoteContent) count('  with remote content blocked');
    }
    for (const delivery of deliveries) count(`delivery to ${delivery.userId === owner.id ? 'the owner' : String(delivery.userId)}: ${String(delivery.rule)} → ${String(delivery.folder)}`);
    process.stdout.write(`corpus through Dovecot, fetcher and message-router: ${messages.length} messages in ${seconds.toFixed(1)} s\n${Object.entries(counts).map(([key, value]) => `  ${key}: ${value}`).join('\n')}\n`);
    expect(Object.keys(counts).filter((key) => key.startsWith('quarantined')).every((key) => key.length > 'quarantined: '.length)).toBe(true);

    const metrics = await (await fetch(`http://127.0.0.1:${system.port('message-router')}/metrics`)).text();
    const sum = (name: string): number => [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+-]+)$`, 'gm'))].reduce((total, [, value]) => total + Number(value), 0);
    process.stdout.write(`  route time per message: ${((1000 * sum('mailbus_route_duration_seconds_sum')) / sum('mailbus_route_duration_seconds_count')).toFixed(1)} ms on average\n`);
    expect(metrics).not.toMatch(/mailbus_events_handled_total\{[^}]*outcome="dead_letter"[^}]*\} [1-9]/);
    expect(system.pid('message-router')).toBeDefined();
  }, 900_000);
});
