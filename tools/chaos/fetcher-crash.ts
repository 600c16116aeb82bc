/**
 * `npm run chaos:fetcher`: kills the fetcher with SIGKILL at random moments while it ingests 2,000
 * messages over IMAP and 2,000 over POP3 (deleting on the server), restarts it each time, and at the
 * end (after a quiet phase in which it finishes on its own) prints what was lost and what was
 * duplicated. Both must be 0 (SPEC §3.1, §3.2), and the POP3 mailbox must be empty (deletions committed).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { fromBinary } from '@bufbuild/protobuf';
import { Events, MessageFetchedSchema, type AccountView, type UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { DEFAULT_MAIL_PASSWORD } from '@mailbus/testing';
import { readStoredEvents } from '../e2e/stream-reader';
import { startSystem } from '../e2e/system';

const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 2_000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 40);
/** Kills come 0.5 s to 0.5 s + this apart. */
const KILL_SPREAD_MS = 4_000;
const QUIET_PHASE_MS = 5 * 60_000;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { FETCH_MAX_MESSAGES_PER_RUN: '150', SCHEDULER_TICK_MS: '100', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', FETCH_LEASE_MS: '3000' } });
  try {
    const dovecot = system.stack.dovecot!;
    for (const username of ['chaosimap', 'chaospop']) {
      await dovecot.addUser({ username, password: DEFAULT_MAIL_PASSWORD });
      await dovecot.doveadm(['mailbox', 'status', '-u', username, 'messages', 'INBOX']);
      for (let n = 0; n < MESSAGES; n += 1) {
        const body = `From: chaos@example.com\r\nTo: ${username}@example.com\r\nSubject: ${n}\r\nMessage-ID: <${username}.${n}@example.com>\r\n\r\n${'x'.repeat(500 + (n % 50) * 100)}\r\n`;
        await writeFile(join(dovecot.mailDir(username), 'cur', `${1_700_000_000 + n}.M${n}P1.chaos:2,`), body);
      }
      await dovecot.doveadm(['mailbox', 'status', '-u', username, 'messages', 'INBOX']);
    }
    const pop = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.pop3Port, security: 'none', timeoutMs: 10_000 });
    await pop.login({ username: 'chaospop', password: DEFAULT_MAIL_PASSWORD });
    const expectedUidls = new Set((await pop.uidl()).map(({ uid }) => uid));
    await pop.quit();

    const owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Chaos', addresses: ['chaos-owner@example.com'] } })).body;
    const account = async (username: string, receive: Record<string, unknown>) =>
      (await system.api<AccountView>('POST', '/v1/accounts', { body: { name: username, email: `${username}@example.com`, owners: [owner.id], receive: { host: '127.0.0.1', username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 30, ...receive } } })).body;
    const imapAccount = await account('chaosimap', { protocol: 'imap', port: dovecot.imapsPort, security: 'tls' });
    const popAccount = await account('chaospop', { protocol: 'pop3', port: dovecot.pop3sPort, security: 'tls' });

    const mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
    const records = mongo.db(system.env.MONGODB_DB).collection('fetched_messages');
    const leftOnPop3 = async (): Promise<number> => {
      const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.pop3Port, security: 'none', timeoutMs: 10_000 });
      await client.login({ username: 'chaospop', password: DEFAULT_MAIL_PASSWORD });
      const { count } = await client.stat();
      await client.quit();
      return count;
    };
    const done = async (): Promise<boolean> => (await records.countDocuments({})) >= 2 * MESSAGES && (await leftOnPop3()) === 0;
    const started = Date.now();
    let kills = 0;
    // Kills at random moments: some before the restarted replica could take over the dead one's leases
    // (FETCH_LEASE_MS), most while runs are storing, deleting or moving checkpoints.
    while (kills < KILLS && !(await done())) {
      await sleep(500 + Math.random() * KILL_SPREAD_MS);
      await system.crashAndRestart('fetcher');
      kills += 1;
      // A run may have been killed between DELE and QUIT or mid-checkpoint: the next owner must find its way.
      await system.api('POST', `/v1/accounts/${imapAccount.id}/sync`);
      await system.api('POST', `/v1/accounts/${popAccount.id}/sync`);
    }
    const killedFor = Date.now() - started;
    // Then no more kills: the fetcher finishes on its own (POP3 deletions of the last runs are committed by their QUIT).
    const quietSince = Date.now();
    while (!(await done()) && Date.now() - quietSince < QUIET_PHASE_MS) {
      for (const id of [imapAccount.id, popAccount.id]) await system.api('POST', `/v1/accounts/${id}/sync`);
      await sleep(1_000);
    }

    const stored = await records.find({}).toArray();
    const imapUids = new Set(stored.filter((record) => record.accountId === imapAccount.id).map((record) => record.uid as number));
    const popUidls = new Set(stored.filter((record) => record.accountId === popAccount.id).map((record) => record.uidl as string));
    const events = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.messageFetched.subject })).map((event) => fromBinary(MessageFetchedSchema, event.data).fetchKey);
    const eventKeys = new Set(events);
    const lostImap = Array.from({ length: MESSAGES }, (_, index) => index + 1).filter((uid) => !imapUids.has(uid)).length;
    const lostPop = [...expectedUidls].filter((uidl) => !popUidls.has(uidl)).length;
    const unpublished = stored.filter((record) => !eventKeys.has(String(record._id))).length;
    const duplicated = stored.length - imapUids.size - popUidls.size + (events.length - eventKeys.size);
    const leftOnPop = await leftOnPop3();
    await mongo.close();

    say(`fetcher killed ${kills} times in ${(killedFor / 1000).toFixed(1)} s while ingesting ${MESSAGES} IMAP + ${MESSAGES} POP3 messages; all done ${((Date.now() - started) / 1000).toFixed(1)} s after the first kill`);
    say(`stored imap=${imapUids.size} pop3=${popUidls.size} events=${events.length} unpublished=${unpublished} left-on-pop3-server=${leftOnPop}`);
    say(`lost=${lostImap + lostPop + unpublished} duplicated=${duplicated}`);
    process.exitCode = lostImap + lostPop + unpublished + duplicated + leftOnPop === 0 ? 0 : 1;
  } finally {
    await system.stop();
  }
}

main().catch((error: Error) => {
  say(`chaos run failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
