/**
 * `npm run chaos:sender`: kills smtp-sender with SIGKILL at random moments while CHAOS_MESSAGES
 * (default 1,000) outbox items are queued through `POST /v1/outbox` and sent to the SMTP sink,
 * restarts it each time, and at the end (after a quiet phase in which it finishes on its own) prints
 * what is stuck, what was lost and what was sent twice.
 *
 *   stuck      items (every item in the outbox collection) neither `sent` nor `failed` at the end
 *   lost       items whose Message-ID the sink never received
 *   sentTwice  Message-IDs the sink received more than once (the one duplicate the design allows:
 *              a kill between the server's acceptance and the `sent` record; reported, not an error),
 *              each with the time from its first copy to the next kill and its item's attempts and last
 *              error: the allowed repeat shows attempts=1 and no error (the first attempt left no record),
 *              usually a few ms before a kill; a retry after the server's acceptance would show an error
 *
 * Exits non-zero when stuck > 0 or lost > 0.
 *
 * smtp-sender also answers the api's outbox RPCs, so POSTs fail (503) while it is down: they are
 * retried with the same Idempotency-Key, so a POST whose reply a kill swallowed answers the item it
 * stored. Items in MongoDB that no answer named ("orphans") would be duplicates; they count like the others.
 *
 * An item killed while `sending` comes back when JetStream redelivers its send.requested after the
 * consumer's ack wait (30 s), hence the quiet phase of minutes.
 *
 * With CHAOS_SENT_FOLDER=1 the account also files every mail in Dovecot's Sent folder (appendToSent
 * always; copies go over a kept IMAP session that a kill leaves holding its host slot until the lease runs
 * out), an item counts as finished only once its copy's outcome is recorded, and the end also prints
 *   copiesMissing  sent items whose Message-ID is not in the Sent folder (a failed copy counts here)
 *   copiesTwice    Message-IDs that are in the Sent folder more than once (a copy is appended once, also
 *                  after a kill between APPEND and the record, and for a mail sent twice)
 * and exits non-zero when either is above 0.
 *
 * Env: CHAOS_MESSAGES (1000), CHAOS_KILLS (20), CHAOS_CONCURRENCY (4 POSTs in flight),
 * CHAOS_QUIET_MS (180000: the longest wait for the last items after the last kill), CHAOS_SENT_FOLDER.
 */
import { ImapFlow } from 'imapflow';
import { MongoClient } from 'mongodb';
import type { AccountView, OutboxItemView, UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, readSmtpSinkMessages, type RunningDovecot } from '@mailbus/testing';
import { startSystem, type System } from '../e2e/system';

const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 1_000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 20);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 4);
const SENT_FOLDER = process.env.CHAOS_SENT_FOLDER === '1';
/** The Dovecot user whose Sent folder gets the copies (CHAOS_SENT_FOLDER). */
const SENT_USER = 'chaossent';
/** At least this long between a restart and the next kill. */
const MIN_KILL_GAP_MS = 500;
const KILL_POLL_MS = 250;
const QUIET_PHASE_MS = Number(process.env.CHAOS_QUIET_MS ?? 3 * 60_000);
const POLL_MS = 1_000;
const FINISHED = ['sent', 'failed'];
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** How long after `at` the next kill came. */
function untilNextKill(at: number, killedAt: number[]): string {
  const next = killedAt.find((kill) => kill >= at);
  return next === undefined ? 'no kill after it' : `${next - at} ms`;
}

/** A small text mail with a 1 KB attachment; the body says which one it is. */
const outboxRequest = (userId: string, n: number) => ({
  userId,
  to: [`chaos-${n}@example.org`],
  subject: `chaos ${n}`,
  text: `Chaos message ${n}\n${'x'.repeat(500)}`,
  attachments: [{ filename: `chaos-${n}.bin`, contentType: 'application/octet-stream', contentBase64: Buffer.alloc(1024, n % 256).toString('base64') }],
});

/** Queues `count` items, `concurrency` POSTs at a time; a POST refused while smtp-sender is down is repeated. */
async function postAll({ system, userId, count, concurrency }: { system: System; userId: string; count: number; concurrency: number }): Promise<{ accepted: OutboxItemView[]; retries: number }> {
  const accepted: OutboxItemView[] = [];
  let next = 0;
  let retries = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next;
      next += 1;
      for (;;) {
        const response = await system
          .api<OutboxItemView>('POST', '/v1/outbox', { body: outboxRequest(userId, n), token: system.tokens.app, headers: { 'idempotency-key': `chaos-${n}` } })
          .catch((error: Error) => ({ status: 0, body: { error: error.message } }));
        if (response.status === 202) {
          accepted.push(response.body as OutboxItemView);
          break;
        }
        if (response.status !== 503 && response.status !== 0 && response.status < 500) throw new Error(`POST /v1/outbox answered ${response.status}: ${JSON.stringify(response.body)}`);
        retries += 1;
        await sleep(200);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { accepted, retries };
}

const MESSAGE_ID = /^Message-ID:[ \t]*(<[^>\r\n]+>)/im;

/** How often each Message-ID is in the user's Sent folder. */
async function sentFolderCopies(dovecot: RunningDovecot): Promise<Map<string, number>> {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapsPort, secure: true, tls: { ca: dovecot.caCertPem }, auth: { user: SENT_USER, pass: DEFAULT_MAIL_PASSWORD }, logger: false });
  await client.connect();
  const copies = new Map<string, number>();
  try {
    const lock = await client.getMailboxLock('Sent', { readOnly: true });
    try {
      for await (const message of client.fetch('1:*', { envelope: true })) {
        const messageId = message.envelope?.messageId ?? '(none)';
        copies.set(messageId, (copies.get(messageId) ?? 0) + 1);
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  return copies;
}

async function main(): Promise<void> {
  // Short retry delays: a network error during a kill should not park an item for the production minute.
  const system = await startSystem({
    services: ['api', 'account-registry', 'smtp-sender'],
    stack: { mail: true },
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SEND_RETRY_BASE_MS: '1000', SEND_RETRY_MAX_DELAY_MS: '5000', SEND_RATE_PER_ACCOUNT_PER_MINUTE: '0', SEND_RATE_PER_HOST_PER_MINUTE: '0' },
  });
  const mongo = await new MongoClient(system.env.MONGODB_URL!).connect();
  try {
    const sink = system.stack.smtp!;
    const user = await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Chaos', addresses: ['chaos@example.com'], defaultFrom: 'chaos@example.com' } });
    if (user.status !== 201) throw new Error(`user not created: ${user.status} ${JSON.stringify(user.body)}`);
    const dovecot = system.stack.dovecot!;
    if (SENT_FOLDER) await dovecot.addUser({ username: SENT_USER, password: DEFAULT_MAIL_PASSWORD });
    const receive = { protocol: 'imap', host: '127.0.0.1', port: dovecot.imapsPort, security: 'tls', username: SENT_USER, password: DEFAULT_MAIL_PASSWORD, enabled: false };
    const account = await system.api<AccountView>('POST', '/v1/accounts', {
      body: {
        name: 'Chaos',
        email: 'chaos@example.com',
        owners: [user.body.id],
        send: { host: sink.host, port: sink.port, security: 'starttls', username: 'user1', password: DEFAULT_MAIL_PASSWORD, ...(SENT_FOLDER ? { appendToSent: 'always' } : {}) },
        ...(SENT_FOLDER ? { receive } : {}),
      },
    });
    if (account.status !== 201) throw new Error(`account not created: ${account.status} ${JSON.stringify(account.body)}`);
    const outbox = mongo.db(system.env.MONGODB_DB).collection<{ _id: string; status: string; messageIdHeader: string; attempts: number; updatedAt: Date; pendingPublish: boolean; lastError?: { class: string; text: string }; sentFolder?: { status: string; reason: string } }>('outbox');
    // With Sent-folder copies, a sent item is finished once its copy's outcome is recorded.
    const copyPending = { status: 'sent', sentFolder: { $exists: false } };
    const unfinished = async () => (await outbox.countDocuments({ status: { $nin: FINISHED } })) + (SENT_FOLDER ? await outbox.countDocuments(copyPending) : 0);
    const finished = () => outbox.countDocuments({ status: { $in: FINISHED } });

    const started = Date.now();
    let posting = true;
    const posted = postAll({ system, userId: user.body.id, count: MESSAGES, concurrency: CONCURRENCY }).finally(() => {
      posting = false;
    });
    let kills = 0;
    let lastKillAt = started;
    const killedAt: number[] = [];
    // Kills at random moments while items are being queued or sent (mid-RPC: the POST's item stored,
    // its reply lost; mid-attempt: `sending`; between the server's acceptance and the `sent` record),
    // spread over the sending: kill k comes at a random point of the k-th 1/CHAOS_KILLS of the items sent.
    const killer = (async () => {
      while (kills < KILLS) {
        const target = Math.floor((MESSAGES * (kills + Math.random())) / KILLS);
        const sinceKill = Date.now();
        while (Date.now() - sinceKill < MIN_KILL_GAP_MS || (await finished()) < target) {
          if (!posting && (await unfinished()) === 0) return;
          await sleep(KILL_POLL_MS);
        }
        killedAt.push(Date.now());
        await system.crashAndRestart('smtp-sender');
        kills += 1;
        lastKillAt = Date.now();
      }
    })();
    const [{ accepted, retries }] = await Promise.all([posted, killer]);
    const postedFor = Date.now() - started;

    // No more kills: smtp-sender finishes on its own (redeliveries after the ack wait, retries).
    const quietSince = Date.now();
    let left = await unfinished();
    while (left > 0 && Date.now() - quietSince < QUIET_PHASE_MS) {
      await sleep(POLL_MS);
      left = await unfinished();
    }
    const quietFor = Date.now() - quietSince;

    const items = await outbox.find({}).toArray();
    /** Per Message-ID: how many copies the sink received, and when the first came. */
    const received = new Map<string, { count: number; firstAt: number }>();
    for (const mail of await readSmtpSinkMessages(sink.dir)) {
      const header = mail.raw.subarray(0, mail.raw.indexOf('\r\n\r\n') + 1 || undefined).toString('latin1');
      const messageId = MESSAGE_ID.exec(header)?.[1] ?? `(none in ${mail.file})`;
      const at = Date.parse(mail.receivedAt);
      const earlier = received.get(messageId);
      received.set(messageId, { count: (earlier?.count ?? 0) + 1, firstAt: Math.min(at, earlier?.firstAt ?? at) });
    }
    const known = new Set(accepted.map((item) => item.id));
    const orphans = items.filter((item) => !known.has(item._id)).length;
    const stuck = items.filter((item) => !FINISHED.includes(item.status));
    const lost = items.filter((item) => !received.has(item.messageIdHeader));
    const twice = [...received].filter(([, { count }]) => count > 1);
    const sentTwice = twice.length;
    const byStatus = new Map<string, number>();
    for (const item of items) byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);

    say(
      `smtp-sender killed ${kills} times in ${seconds(lastKillAt - started)} while ${MESSAGES} items were queued (${CONCURRENCY} POSTs in flight, ${retries} POSTs repeated while it was down; queuing took ${seconds(postedFor)})`,
    );
    say(`quiet phase ${seconds(quietFor)} (limit ${seconds(QUIET_PHASE_MS)})`);
    say(
      `accepted=${accepted.length} orphans=${orphans} statuses: ${[...byStatus].map(([status, count]) => `${status}=${count}`).join(' ')}; sink received ${[...received.values()].reduce((sum, { count }) => sum + count, 0)} mails, ${received.size} distinct Message-IDs`,
    );
    for (const item of stuck.slice(0, 20))
      say(
        `  stuck ${item._id} status=${item.status} attempts=${item.attempts} pendingPublish=${item.pendingPublish} updatedAt=${item.updatedAt.toISOString()} received=${received.has(item.messageIdHeader)}`,
      );
    for (const item of lost.filter((candidate) => FINISHED.includes(candidate.status)).slice(0, 20))
      say(`  lost ${item._id} status=${item.status} attempts=${item.attempts} messageId=${item.messageIdHeader}`);
    for (const [messageId, { firstAt }] of twice) {
      const item = items.find((candidate) => candidate.messageIdHeader === messageId);
      const error = item?.lastError ? `, last error ${item.lastError.class}: ${item.lastError.text}` : '';
      say(`  sent twice ${messageId}: the next kill came ${untilNextKill(firstAt, killedAt)} after its first copy (item ${item?._id ?? '?'}: attempts=${item?.attempts ?? '?'}${error})`);
    }
    say(`items=${items.length} kills=${kills} elapsed=${seconds(Date.now() - started)} stuck=${stuck.length} lost=${lost.length} sentTwice=${sentTwice}`);
    let copyProblems = 0;
    if (SENT_FOLDER) {
      const copies = await sentFolderCopies(dovecot);
      const sent = items.filter((item) => item.status === 'sent');
      const missing = sent.filter((item) => !copies.has(item.messageIdHeader));
      const copiesTwice = [...copies].filter(([, count]) => count > 1);
      const outcomes = new Map<string, number>();
      for (const item of sent) outcomes.set(item.sentFolder?.status ?? 'none', (outcomes.get(item.sentFolder?.status ?? 'none') ?? 0) + 1);
      for (const item of missing.slice(0, 20)) say(`  copy missing ${item._id} messageId=${item.messageIdHeader} outcome=${item.sentFolder?.status ?? 'none'} ${item.sentFolder?.reason ?? ''}`);
      for (const [messageId, count] of copiesTwice.slice(0, 20)) say(`  copy ${count} times ${messageId}`);
      say(`sentFolder: copies=${[...copies.values()].reduce((sum, count) => sum + count, 0)} outcomes: ${[...outcomes].map(([status, count]) => `${status}=${count}`).join(' ')} copiesMissing=${missing.length} copiesTwice=${copiesTwice.length}`);
      copyProblems = missing.length + copiesTwice.length;
    }
    process.exitCode = stuck.length + lost.length + copyProblems === 0 ? 0 : 1;
  } finally {
    await mongo.close();
    await system.stop();
  }
}

main().catch((error: Error) => {
  say(`chaos run failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
