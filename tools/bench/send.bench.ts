/**
 * `npm run bench:send`: how close mailbus comes to a bare nodemailer pool sending the same mail to the
 * same SMTP server.
 *
 * Starts api, account-registry and smtp-sender as processes and the stack's SMTP sink (in this
 * process), creates a user and an account that sends through the sink, sends a short warm-up through
 * mailbus, then measures, each stage with a fresh count of what the sink received:
 *   bare nodemailer   BENCH_MESSAGES mails through one createTransport({ pool: true, maxConnections: 2 })
 *                     (smtp-sender's pool per account, smtp-transports.ts), all handed over at once
 *   mailbus           BENCH_MESSAGES `POST /v1/outbox` (BENCH_POST_CONCURRENCY in flight) until the sink
 *                     has every one: api → RPC → smtp-sender (item, attachment blob, send.requested) →
 *                     consumer (compose, sent blob, SMTP, record, message.sent) → sink
 * Same message in both: a 1 KB text and a 3 KB attachment (about 5.5 KB on the wire), STARTTLS and AUTH.
 * Per stage: msg/s from the first hand-over to the last mail in the sink, per-message latency from the
 * hand-over (the POST, or sendMail for the bare pool) to the sink's receipt (p50/p95/p99), CPU seconds
 * per process group, and smtp-sender's peak RSS.
 *
 * Env: BENCH_MESSAGES (2000), BENCH_POST_CONCURRENCY (4), BENCH_WARMUP (50), BENCH_CPU_PROF=<dir>
 * writes V8 CPU profiles of smtp-sender and the api there (cpu-profile.preload.ts via NODE_OPTIONS=--require),
 * BENCH_NODE_OPTIONS=<flags> restarts smtp-sender with those Node flags, BENCH_SENT_FOLDER=1 adds a stage
 * that also files every mail in Dovecot's Sent folder over IMAP (BENCH_RTT_MS=<ms> puts that round trip
 * between smtp-sender and Dovecot's IMAP).
 * The target is mailbus at 60 % or more of the bare pool; the exit code is 0 either way.
 */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { createTransport } from 'nodemailer';
import type { AccountView, OutboxItemView, UserView } from '@mailbus/contracts';
import { DEFAULT_MAIL_PASSWORD, readSmtpSinkMessages, type RunningSmtpSink } from '@mailbus/testing';
import { startSystem, type System } from '../e2e/system';
import { benchNodeEnv } from './bench-node-options.util';
import { startCountingProxy, type CountingProxy } from '../e2e/counting-proxy';
import { ProcessGroupCpu, peakRss, resetPeakRss } from './process-usage.util';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2_000);
const POST_CONCURRENCY = Number(process.env.BENCH_POST_CONCURRENCY ?? 4);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** 1: a third stage sends through an account whose copies are filed in Dovecot's Sent folder. */
const SENT_FOLDER = process.env.BENCH_SENT_FOLDER === '1';
/** Round trip added between smtp-sender and Dovecot's IMAP in that stage (the delaying counting proxy of tools/e2e). */
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 0);
const TARGET_RATIO = 0.6;
/** smtp-sender's pool per account (services/smtp-sender/src/sending/smtp-transports.ts; a tool may not import a service). */
const SENDER_POOL = { maxConnections: 2, maxMessages: 100 };
const STAGE_TIMEOUT_MS = 15 * 60_000;
const INDEX_FILE = 'index.jsonl';

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));

function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

interface StageResult {
  name: string;
  messages: number;
  seconds: number;
  latencyMs: number[];
  cpu: { wallSeconds: number; cpuSeconds: Record<string, number> };
  peakRssBytes?: number;
  notes: string[];
}

const rate = (stage: StageResult): number => stage.messages / stage.seconds;

function printStage(stage: StageResult, bare?: StageResult): void {
  const ratio = bare ? `  ${fixed((100 * rate(stage)) / rate(bare), 0)} % of ${bare.name}` : '';
  say(
    `${stage.name.padEnd(18)} ${String(stage.messages).padStart(6)} msg ${fixed(stage.seconds, 2).padStart(7)} s ${fixed(rate(stage), 0).padStart(6)} msg/s  latency p50 ${fixed(percentile(stage.latencyMs, 0.5), 0)} ms  p95 ${fixed(percentile(stage.latencyMs, 0.95), 0)} ms  p99 ${fixed(percentile(stage.latencyMs, 0.99), 0)} ms${ratio}`,
  );
  const parts = Object.entries(stage.cpu.cpuSeconds).map(([group, cpuSeconds]) => `${group} ${fixed(cpuSeconds, 2)} s (${fixed((100 * cpuSeconds) / stage.cpu.wallSeconds, 0)} %)`);
  say(`${''.padEnd(18)} cpu over ${fixed(stage.cpu.wallSeconds, 2)} s wall: ${parts.join(', ')}`);
  if (stage.peakRssBytes !== undefined) say(`${''.padEnd(18)} smtp-sender peak RSS ${fixed(stage.peakRssBytes / 1024 / 1024)} MB`);
  for (const note of stage.notes) say(`${''.padEnd(18)} ${note}`);
}

/** The mail of both stages: 1 KB of text and a 3 KB attachment (binary, so base64 on the wire). */
function benchMail(n: number): { subject: string; text: string; attachment: Buffer } {
  const attachment = Buffer.alloc(3 * 1024);
  for (let index = 0; index < attachment.length; index += 1) attachment[index] = (index * 31 + n) % 256;
  return { subject: `bench ${n}`, text: `Bench message ${n}\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18)}`, attachment };
}

const MESSAGE_ID = /^Message-ID:[ \t]*(<[^>\r\n]+>)/im;

/** The sink's index lines so far (cheap: no message bodies); a stage counts from its own start. */
async function sinkIndexLength(sink: RunningSmtpSink): Promise<number> {
  const index = await readFile(join(sink.dir, INDEX_FILE), 'utf8').catch(() => '');
  return index.split('\n').length - 1;
}

/** Message-ID → receipt times (ms since the epoch) of everything the sink received after `offset` index lines. */
async function receivedSince(sink: RunningSmtpSink, offset: number): Promise<Map<string, number[]>> {
  const received = new Map<string, number[]>();
  for (const mail of (await readSmtpSinkMessages(sink.dir)).slice(offset)) {
    const end = mail.raw.indexOf('\r\n\r\n');
    const messageId = MESSAGE_ID.exec(mail.raw.subarray(0, end < 0 ? undefined : end + 2).toString('latin1'))?.[1] ?? `(none: ${mail.file})`;
    received.set(messageId, [...(received.get(messageId) ?? []), Date.parse(mail.receivedAt)]);
  }
  return received;
}

/** Polls the sink until `count` more mails arrived since `offset`. */
async function waitForSink(sink: RunningSmtpSink, offset: number, count: number, name: string): Promise<void> {
  const started = Date.now();
  while ((await sinkIndexLength(sink)) - offset < count) {
    if (Date.now() - started > STAGE_TIMEOUT_MS) throw new Error(`${name}: only ${(await sinkIndexLength(sink)) - offset} of ${count} mails after ${STAGE_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

/** Hand-over times and Message-IDs of one stage → latencies, the last receipt, and what did not match. */
function match({ handedOver, received }: { handedOver: Map<string, number>; received: Map<string, number[]> }): {
  latencyMs: number[];
  lastReceivedAt: number;
  missing: number;
  twice: number;
  foreign: number;
} {
  const latencyMs: number[] = [];
  let lastReceivedAt = 0;
  let missing = 0;
  for (const [messageId, at] of handedOver) {
    const times = received.get(messageId);
    if (!times) {
      missing += 1;
      continue;
    }
    latencyMs.push(Math.min(...times) - at);
    lastReceivedAt = Math.max(lastReceivedAt, ...times);
  }
  const twice = [...received.values()].filter((times) => times.length > 1).length;
  const foreign = [...received.keys()].filter((messageId) => !handedOver.has(messageId)).length;
  return { latencyMs, lastReceivedAt, missing, twice, foreign };
}

/** The fields of an outbox item the Sent-folder stage reads (services/smtp-sender outbox-item.document.ts). */
interface OutboxRow {
  accountId: string;
  createdAt: Date;
  updatedAt: Date;
  sentFolder?: { status: string };
}

class Bench {
  private readonly sink: RunningSmtpSink;

  constructor(
    private readonly system: System,
    private readonly userId: string,
  ) {
    this.sink = system.stack.smtp!;
  }

  private cpu(): ProcessGroupCpu {
    return new ProcessGroupCpu({
      'smtp-sender': this.system.pid('smtp-sender'),
      api: this.system.pid('api'),
      ferretdb: this.system.stack.pids.ferretdb,
      nats: this.system.stack.pids.nats,
      'bench+sink': process.pid,
    });
  }

  /** POSTs answered 503 (the api's RPC deadline passed while smtp-sender was busy) and repeated. */
  unavailable = 0;

  /** Queues one mail; a 503 is repeated (its item may have been stored all the same: then it is sent too, an extra mail in the sink). */
  private async post(n: number, from?: string): Promise<OutboxItemView> {
    const mail = benchMail(n);
    for (;;) {
      const response = await this.system.api<OutboxItemView>('POST', '/v1/outbox', {
        body: {
          userId: this.userId,
          ...(from ? { from } : {}),
          to: [`bench-${n}@example.org`],
          subject: mail.subject,
          text: mail.text,
          attachments: [{ filename: `expose-${n}.pdf`, contentType: 'application/pdf', contentBase64: mail.attachment.toString('base64') }],
        },
        token: this.system.tokens.app,
      });
      if (response.status === 202) return response.body;
      if (response.status !== 503) throw new Error(`POST /v1/outbox answered ${response.status}: ${JSON.stringify(response.body)}`);
      this.unavailable += 1;
    }
  }

  /** POSTs `count` mails, BENCH_POST_CONCURRENCY at a time; `onAccepted` gets each item with the time its POST began. */
  private async postAll({ count, from, onAccepted }: { count: number; from?: string; onAccepted?: (item: OutboxItemView, at: number) => void }): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const n = next;
        next += 1;
        const at = Date.now();
        onAccepted?.(await this.post(n, from), at);
      }
    };
    await Promise.all(Array.from({ length: POST_CONCURRENCY }, worker));
  }

  /** Sends `count` through mailbus and waits for the sink; no figures (JIT, pools, indexes warm). */
  async warmUp(count: number): Promise<void> {
    const offset = await sinkIndexLength(this.sink);
    for (let n = 0; n < count; n += 1) await this.post(-1 - n);
    await waitForSink(this.sink, offset, count, 'warm-up');
  }

  async bare(count: number): Promise<StageResult> {
    const transport = createTransport({
      host: this.sink.host,
      port: this.sink.port,
      secure: false,
      requireTLS: true,
      tls: { ca: this.system.stack.dovecot!.caCertPem },
      auth: { user: 'user1', pass: DEFAULT_MAIL_PASSWORD },
      pool: true,
      ...SENDER_POOL,
      logger: false,
    });
    const offset = await sinkIndexLength(this.sink);
    const handedOver = new Map<string, number>();
    const cpu = this.cpu();
    await cpu.start();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const mail = benchMail(n);
        const messageId = `<bare-${n}.${started.toString(36)}@example.com>`;
        handedOver.set(messageId, Date.now());
        await transport.sendMail({
          from: '"Bench" <bench@example.com>',
          to: `bench-${n}@example.org`,
          subject: mail.subject,
          text: mail.text,
          attachments: [{ filename: `expose-${n}.pdf`, contentType: 'application/pdf', content: mail.attachment }],
          messageId,
          date: new Date(),
        });
      }),
    );
    await waitForSink(this.sink, offset, count, 'bare');
    const usage = await cpu.stop();
    transport.close();
    const { latencyMs, lastReceivedAt, missing, twice, foreign } = match({ handedOver, received: await receivedSince(this.sink, offset) });
    return {
      name: 'bare nodemailer',
      messages: count - missing,
      seconds: (lastReceivedAt - started) / 1000,
      latencyMs,
      cpu: usage,
      notes: [
        `pool maxConnections ${SENDER_POOL.maxConnections}, all ${count} sendMail calls at once (latency is mostly the wait in the pool's queue)${missing + twice + foreign ? `; MISMATCH: missing ${missing}, twice ${twice}, foreign ${foreign}` : ''}`,
      ],
    };
  }

  /**
   * mailbus again, through an account whose IMAP side is Dovecot (appendToSent always): each mail is
   * also filed in its Sent folder. Ends when every item has its Sent-folder outcome; counts the IMAP
   * connections Dovecot saw (through `imap`, which may add a round trip).
   */
  async mailbusWithSentCopies({ count, accountId, from, imap, outbox }: { count: number; accountId: string; from: string; imap: CountingProxy; outbox: Collection<OutboxRow> }): Promise<StageResult> {
    const offset = await sinkIndexLength(this.sink);
    const connectionsBefore = imap.total;
    const cpu = this.cpu();
    await cpu.start();
    const started = new Date();
    await this.postAll({ count, from });
    await waitForSink(this.sink, offset, count, 'mailbus with Sent copies');
    const filed = { accountId, createdAt: { $gte: started }, sentFolder: { $exists: true } };
    const deadline = Date.now() + STAGE_TIMEOUT_MS;
    while ((await outbox.countDocuments(filed)) < count) {
      if (Date.now() > deadline) throw new Error(`Sent-folder copies: not every item has its outcome after ${STAGE_TIMEOUT_MS} ms`);
      await sleep(200);
    }
    const usage = await cpu.stop();
    const items = await outbox.find(filed, { projection: { 'sentFolder.status': 1, createdAt: 1, updatedAt: 1 } }).toArray();
    const lastFiledAt = Math.max(...items.map(({ updatedAt }) => updatedAt.getTime()));
    const appended = items.filter(({ sentFolder }) => sentFolder?.status === 'appended').length;
    return {
      name: 'mailbus + Sent',
      messages: count,
      seconds: (lastFiledAt - started.getTime()) / 1000,
      latencyMs: items.map(({ createdAt, updatedAt }) => updatedAt.getTime() - createdAt.getTime()),
      cpu: usage,
      notes: [`until every copy is filed; ${appended} appended, ${items.length - appended} not; ${imap.total - connectionsBefore} IMAP connections to Dovecot${RTT_MS > 0 ? ` (${RTT_MS} ms round trip)` : ''}; latency: from acceptance to the copy's record`],
    };
  }

  async mailbus(count: number): Promise<StageResult> {
    const offset = await sinkIndexLength(this.sink);
    const senderPid = this.system.pid('smtp-sender');
    const rssReset = senderPid !== undefined && (await resetPeakRss(senderPid));
    const handedOver = new Map<string, number>();
    this.unavailable = 0;
    const cpu = this.cpu();
    await cpu.start();
    const started = Date.now();
    await this.postAll({ count, onAccepted: (item, at) => handedOver.set(item.messageIdHeader, at) });
    const queuedFor = Date.now() - started;
    await waitForSink(this.sink, offset, count, 'mailbus');
    const usage = await cpu.stop();
    const peak = rssReset && senderPid !== undefined ? await peakRss(senderPid) : undefined;
    const { latencyMs, lastReceivedAt, missing, twice, foreign } = match({ handedOver, received: await receivedSince(this.sink, offset) });
    return {
      name: 'mailbus',
      messages: count - missing,
      seconds: (lastReceivedAt - started) / 1000,
      latencyMs,
      cpu: usage,
      peakRssBytes: peak,
      notes: [
        `${POST_CONCURRENCY} POSTs in flight; all ${count} accepted after ${fixed(queuedFor / 1000, 2)} s (${fixed(count / (queuedFor / 1000), 0)} POST/s)${this.unavailable ? `; ${this.unavailable} POSTs answered 503 (RPC timeout) and were repeated` : ''}`,
        missing + twice + foreign ? `MISMATCH: missing ${missing}, received twice ${twice}, not from an accepted POST ${foreign} (the item of a 503)` : 'every mail received once',
      ],
    };
  }
}

async function main(): Promise<void> {
  say(`send benchmark: ${MESSAGES} messages (1 KB text + 3 KB attachment) to the SMTP sink over STARTTLS with AUTH; machine: ${cpus().length} cores, shared with other work (figures vary run to run)`);
  const system = await startSystem({ services: ['api', 'account-registry', 'smtp-sender'], stack: { mail: true }, env: { LOG_LEVEL: 'warn', SEND_RATE_PER_ACCOUNT_PER_MINUTE: '0', SEND_RATE_PER_HOST_PER_MINUTE: '0' } });
  const mongo = await MongoClient.connect(system.env.MONGODB_URL!);
  const proxies: CountingProxy[] = [];
  try {
    const nodeEnv = benchNodeEnv(CPU_PROFILE_DIR);
    if (nodeEnv) await system.restart('smtp-sender', nodeEnv);
    // The api's share of a mail is profiled too; BENCH_NODE_OPTIONS is for smtp-sender alone.
    const apiEnv = benchNodeEnv(CPU_PROFILE_DIR, '');
    if (apiEnv) await system.restart('api', apiEnv);
    const sink = system.stack.smtp!;
    const user = await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Bench', addresses: ['bench@example.com'], defaultFrom: 'bench@example.com' } });
    if (user.status !== 201) throw new Error(`user not created: ${user.status} ${JSON.stringify(user.body)}`);
    const account = await system.api<AccountView>('POST', '/v1/accounts', {
      body: {
        name: 'Bench',
        email: 'bench@example.com',
        displayName: 'Bench',
        owners: [user.body.id],
        send: { host: sink.host, port: sink.port, security: 'starttls', username: 'user1', password: DEFAULT_MAIL_PASSWORD },
      },
    });
    if (account.status !== 201) throw new Error(`account not created: ${account.status} ${JSON.stringify(account.body)}`);
    const bench = new Bench(system, user.body.id);
    if (WARMUP > 0) await bench.warmUp(WARMUP);
    say();

    const bare = await bench.bare(MESSAGES);
    printStage(bare);
    const mailbus = await bench.mailbus(MESSAGES);
    printStage(mailbus, bare);
    let sentStage: StageResult | undefined;
    if (SENT_FOLDER) {
      const dovecot = system.stack.dovecot!;
      const imap = await startCountingProxy({ targetPort: dovecot.imapPort, oneWayMs: RTT_MS / 2 });
      proxies.push(imap);
      const from = 'bench-sent@example.com';
      const withImap = await system.api<AccountView>('POST', '/v1/accounts', {
        body: {
          name: 'Bench with Sent copies',
          email: from,
          owners: [user.body.id],
          send: { host: sink.host, port: sink.port, security: 'starttls', username: 'user1', password: DEFAULT_MAIL_PASSWORD, appendToSent: 'always' },
          receive: { protocol: 'imap', host: '127.0.0.1', port: imap.port, security: 'starttls', username: 'user2', password: DEFAULT_MAIL_PASSWORD, enabled: false },
        },
      });
      if (withImap.status !== 201) throw new Error(`account not created: ${withImap.status} ${JSON.stringify(withImap.body)}`);
      sentStage = await bench.mailbusWithSentCopies({ count: MESSAGES, accountId: withImap.body.id, from, imap, outbox: mongo.db(system.env.MONGODB_DB).collection<OutboxRow>('outbox') });
      printStage(sentStage, bare);
    }
    const sent = await mongo.db(system.env.MONGODB_DB).collection('outbox').countDocuments({ status: 'sent' });
    say();
    const ratio = rate(mailbus) / rate(bare);
    say(
      `mailbus ${fixed(rate(mailbus), 0)} msg/s vs bare nodemailer ${fixed(rate(bare), 0)} msg/s = ${fixed(100 * ratio, 0)} % (target ${100 * TARGET_RATIO} %: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}); outbox items sent: ${sent} of ${MESSAGES * (sentStage ? 2 : 1) + WARMUP}`,
    );
  } finally {
    await mongo.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await system.stop();
    if (CPU_PROFILE_DIR) say(`smtp-sender and api CPU profiles in ${CPU_PROFILE_DIR}`);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    say(`send benchmark failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
