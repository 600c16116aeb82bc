/**
 * `npm run bench:fetch`: how close the fetcher comes to a bare client reading the same mailbox.
 *
 * Seeds one IMAP and one POP3 mailbox on a private Dovecot with the same deterministic mix
 * (BENCH_MESSAGES, default 2,000; 2 KB to 200 KB, about 20 % with a base64 attachment), starts api,
 * account-registry and fetcher as processes, then measures, each stage on its own:
 *   IMAP read      a bare imapflow loop, one FETCH 1:* (UID BODY.PEEK[]), bytes counted
 *   store          the same sources through BlobStore.put plus a fetch-record insert, one after the other
 *   publish        a message.fetched-sized JetStream publish with a msg id, one after the other
 *   IMAP mailbus   from enabling the account until every record exists and every message.fetched is in
 *                  the stream (the stream's last timestamp), with a run budget above the mailbox size
 *   POP3 read      bare loops with the project's Pop3Client: UIDL, then RETR each (one in flight), and
 *                  UIDL, then RETRs pipelined 100 at a time (retrMany); the faster one is the yardstick
 *   POP3 mailbus   as for IMAP (leaveOnServer, so the bare loop and every run see the same mail)
 *   ... and both mailbus stages again with the production run budget (500 per run, then a requeue).
 * Per stage: msg/s, MB/s, p50/p95 per-message time, CPU seconds of each process group (fetcher,
 * ferretdb, nats, dovecot, this bench) so the limiting stage is visible, and the fetcher's peak RSS.
 *
 * Env: BENCH_MESSAGES (2000), BENCH_SECURITY none|tls (none: plaintext on loopback, like the lab
 * baselines), BENCH_DEFAULT_BUDGET=0 skips the 500-per-run stages, BENCH_CPU_PROF=<dir> writes a
 * V8 CPU profile of the fetcher there (cpu-profile.preload.ts via NODE_OPTIONS=--require),
 * BENCH_NODE_OPTIONS=<flags> restarts the fetcher with those Node flags, BENCH_RTT_MS=<ms> puts that
 * round trip between every client and Dovecot (a server across a network instead of on loopback).
 * The target is mailbus at 70 % or more of the bare read; the exit code is 0 either way.
 */
import { cpus } from 'node:os';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { ImapFlow } from 'imapflow';
import { MongoClient, type Collection } from 'mongodb';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { fromBinary } from '@bufbuild/protobuf';
import { EVENTS_STREAM, Events, MessageFetchedSchema, type AccountView, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { Pop3Client } from '@mailbus/mail-clients';
import { BlobStore, IndexProvisioner, blobId } from '@mailbus/mongo-dal';
import { DEFAULT_MAIL_PASSWORD, seedMaildir as seedMaildirOf } from '@mailbus/testing';
import { startSystem, type System } from '../e2e/system';
import { benchNodeEnv } from './bench-node-options.util';
import { buildBenchCorpus } from './bench-corpus.util';
import { startCountingProxy, type CountingProxy } from '../e2e/counting-proxy';
import { ProcessGroupCpu, peakRss, resetPeakRss } from './process-usage.util';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2_000);
const SECURITY = process.env.BENCH_SECURITY === 'tls' ? 'tls' : 'none';
const WITH_DEFAULT_BUDGET = process.env.BENCH_DEFAULT_BUDGET !== '0';
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** Round trip added between every client and Dovecot (the delaying counting proxy of tools/e2e), as if the server were across a network. */
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 0);
const TARGET_RATIO = 0.7;
/** The fetcher's default FETCH_MAX_MESSAGES_PER_RUN. */
const PRODUCTION_BUDGET = 500;
const STAGE_TIMEOUT_MS = 15 * 60_000;
/** Not a mailbus event: publish-stage messages go to their own subject inside the MAILBUS stream. */
const PUBLISH_PROBE_SUBJECT = `${EVENTS_STREAM.subjects[0].slice(0, -1)}bench.publish-probe`;

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StageResult {
  name: string;
  messages: number;
  bytes: number;
  seconds: number;
  /** Per-message times in ms (service time of a sequential stage, or the gap between messages). */
  perMessageMs?: number[];
  cpu?: { wallSeconds: number; cpuSeconds: Record<string, number> };
  peakRssBytes?: number;
  note?: string;
}

/** The fetcher's FETCH groups (services/fetcher groupForFetch; a tool may not import a service): 100 messages or 8 MB. */
function fetchGroups<Item extends { source: Buffer }>(items: Item[]): Item[][] {
  const groups: Item[][] = [[]];
  let bytes = 0;
  for (const item of items) {
    if (groups.at(-1)!.length === 100 || bytes + item.source.length > 8 * 1024 * 1024) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1)!.push(item);
    bytes += item.source.length;
  }
  return groups.filter((group) => group.length > 0);
}

function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

const fixed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const rate = (stage: StageResult): number => stage.messages / stage.seconds;

function printStage(stage: StageResult, bare?: StageResult): void {
  const ratio = bare ? `${fixed((100 * rate(stage)) / rate(bare), 0)} % of ${bare.name}` : '';
  say(
    `${stage.name.padEnd(34)} ${String(stage.messages).padStart(6)} msg ${fixed(stage.bytes / 1e6).padStart(7)} MB ${fixed(stage.seconds, 2).padStart(7)} s ${fixed(rate(stage), 0).padStart(7)} msg/s ${fixed(stage.bytes / 1e6 / stage.seconds).padStart(6)} MB/s  p50 ${fixed(percentile(stage.perMessageMs ?? [], 0.5), 2)} ms  p95 ${fixed(percentile(stage.perMessageMs ?? [], 0.95), 2)} ms  ${ratio}`,
  );
  if (stage.cpu) {
    const parts = Object.entries(stage.cpu.cpuSeconds).map(([group, seconds]) => `${group} ${fixed(seconds, 2)} s (${fixed((100 * seconds) / stage.cpu!.wallSeconds, 0)} %)`);
    say(`${''.padEnd(34)} cpu over ${fixed(stage.cpu.wallSeconds, 2)} s wall: ${parts.join(', ')}`);
  }
  if (stage.peakRssBytes !== undefined) say(`${''.padEnd(34)} fetcher peak RSS ${fixed(stage.peakRssBytes / 1024 / 1024)} MB`);
  if (stage.note) say(`${''.padEnd(34)} ${stage.note}`);
}

async function seedMaildir({ system, username, messages }: { system: System; username: string; messages: Buffer[] }): Promise<void> {
  await seedMaildirOf({ dovecot: system.stack.dovecot!, username, password: DEFAULT_MAIL_PASSWORD, messages });
}

class Bench {
  private readonly dovecot;
  private owner?: UserView;

  constructor(
    private readonly system: System,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly records: Collection,
    /** Where the clients reach Dovecot: its own ports, or latency proxies in front of them. */
    private readonly ports: { imap: number; pop3: number },
  ) {
    this.dovecot = system.stack.dovecot!;
  }

  private cpu(): ProcessGroupCpu {
    return new ProcessGroupCpu({
      fetcher: this.system.pid('fetcher'),
      ferretdb: this.system.stack.pids.ferretdb,
      nats: this.system.stack.pids.nats,
      dovecot: this.dovecot.process.pid,
      bench: process.pid,
    });
  }

  async bareImap({ username }: { username: string }): Promise<{ stage: StageResult; sources: Array<{ uid: number; source: Buffer }> }> {
    const client = new ImapFlow({ host: '127.0.0.1', port: this.ports.imap, secure: SECURITY === 'tls', tls: { ca: this.dovecot.caCertPem }, auth: { user: username, pass: DEFAULT_MAIL_PASSWORD }, logger: false });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    const sources: Array<{ uid: number; source: Buffer }> = [];
    const gaps: number[] = [];
    let bytes = 0;
    const cpu = this.cpu();
    await cpu.start();
    const started = performance.now();
    let last = started;
    try {
      for await (const message of client.fetch('1:*', { uid: true, source: true })) {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
        bytes += message.source!.length;
        sources.push({ uid: message.uid, source: message.source! });
      }
    } finally {
      lock.release();
    }
    const seconds = (performance.now() - started) / 1000;
    const usage = await cpu.stop();
    await client.logout();
    return { stage: { name: 'IMAP bare imapflow FETCH 1:*', messages: sources.length, bytes, seconds, perMessageMs: gaps, cpu: usage, note: 'p50/p95: gap between messages' }, sources };
  }

  /** `pipelined`: RETRs 100 at a time with retrMany (the fetcher's way); otherwise one RETR stream after another. */
  async barePop3({ username, pipelined }: { username: string; pipelined: boolean }): Promise<StageResult> {
    const client = await Pop3Client.connect({ host: '127.0.0.1', port: this.ports.pop3, security: SECURITY, tls: { ca: this.dovecot.caCertPem }, timeoutMs: 30_000 });
    await client.login({ username, password: DEFAULT_MAIL_PASSWORD });
    await client.capabilities();
    const cpu = this.cpu();
    await cpu.start();
    const started = performance.now();
    const listing = await client.uidl();
    const times: number[] = [];
    let bytes = 0;
    if (pipelined) {
      for (let from = 0; from < listing.length; from += 100) {
        const begun = performance.now();
        const answers = await client.retrMany(listing.slice(from, from + 100).map(({ number }) => number));
        for (const answer of answers) {
          if (answer instanceof Error) throw answer;
          bytes += answer.length;
          times.push((performance.now() - begun) / answers.length);
        }
      }
    } else {
      for (const { number } of listing) {
        const begun = performance.now();
        for await (const piece of client.retr(number)) bytes += (piece as Buffer).length;
        times.push(performance.now() - begun);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const usage = await cpu.stop();
    await client.quit();
    return pipelined
      ? { name: 'POP3 bare, RETR pipelined by 100', messages: listing.length, bytes, seconds, perMessageMs: times, cpu: usage, note: "p50/p95: a batch's time / its messages" }
      : { name: 'POP3 bare, one RETR at a time', messages: listing.length, bytes, seconds, perMessageMs: times, cpu: usage, note: 'p50/p95: one RETR' };
  }

  /**
   * The store's own write rate, without IMAP or NATS: `single` is BlobStore.put and one record insert
   * per message, one after the other; `batched` is what the fetcher does with a FETCH group,
   * BlobStore.putMany and one insertMany of the records per group (groupForFetch: 100 messages, 8 MB).
   */
  async storeAlone({ sources, mode }: { sources: Array<{ uid: number; source: Buffer }>; mode: 'single' | 'batched' }): Promise<StageResult> {
    const client = await MongoClient.connect(this.system.env.MONGODB_URL!);
    try {
      const db = client.db(`${this.system.env.MONGODB_DB}_storebench_${mode}`);
      await new IndexProvisioner(db).provision(BlobStore.indexes);
      const records = db.collection<{ _id: string }>('fetched_messages');
      await records.createIndex({ accountId: 1, folder: 1, messageIdHeader: 1 }, { name: 'account_folder_message_id' });
      const blobs = new BlobStore(db);
      const record = ({ uid, put }: { uid: number; put: { id: string; length: number; sha256: string } }): { _id: string } =>
        ({ _id: `bench/imap/INBOX/1/${uid}`, accountId: 'bench', protocol: 'imap', folder: 'INBOX', uidValidity: 1, uid, blobId: put.id, size: put.length, sha256: put.sha256, fetchedAt: new Date() }) as { _id: string };
      const times: number[] = [];
      let bytes = 0;
      const cpu = this.cpu();
      await cpu.start();
      const started = performance.now();
      if (mode === 'single') {
        for (const { uid, source } of sources) {
          const begun = performance.now();
          const put = await blobs.put({ id: blobId(`raw-store-bench-${uid}`), source: Readable.from([source]), metadata: { accountId: 'bench', fetchKey: `bench/imap/INBOX/1/${uid}` } });
          await records.insertOne(record({ uid, put }));
          times.push(performance.now() - begun);
          bytes += put.length;
        }
      } else {
        for (const group of fetchGroups(sources)) {
          const begun = performance.now();
          const puts = await blobs.putMany(group.map(({ uid, source }) => ({ id: blobId(`raw-store-bench-${uid}`), bytes: source, metadata: { accountId: 'bench', fetchKey: `bench/imap/INBOX/1/${uid}` } })));
          const stored = puts.map((put) => {
            if (put instanceof Error) throw put;
            return put;
          });
          await records.insertMany(group.map(({ uid }, index) => record({ uid, put: stored[index]! })), { ordered: false });
          const perMessage = (performance.now() - begun) / group.length;
          for (const put of stored) {
            times.push(perMessage);
            bytes += put.length;
          }
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const usage = await cpu.stop();
      await db.dropDatabase();
      return mode === 'single'
        ? { name: 'store alone: BlobStore.put + insert', messages: sources.length, bytes, seconds, perMessageMs: times, cpu: usage, note: 'p50/p95: one put + insert' }
        : { name: 'store alone, batched: putMany', messages: sources.length, bytes, seconds, perMessageMs: times, cpu: usage, note: 'p50/p95: a group\'s time / its messages' };
    } finally {
      await client.close();
    }
  }

  /** A message.fetched-sized event published with a msg id, awaited one by one like the ingest does. */
  async publishAlone({ count }: { count: number }): Promise<StageResult> {
    const js = jetstream(this.nc);
    const payload = new Uint8Array(320).fill(7);
    const runId = Date.now().toString(36);
    const times: number[] = [];
    const cpu = this.cpu();
    await cpu.start();
    const started = performance.now();
    for (let n = 0; n < count; n += 1) {
      const begun = performance.now();
      await js.publish(PUBLISH_PROBE_SUBJECT, payload, { msgID: `probe-${runId}-${n}` });
      times.push(performance.now() - begun);
    }
    const seconds = (performance.now() - started) / 1000;
    const usage = await cpu.stop();
    await this.jsm.streams.purge(EVENTS_STREAM.name, { filter: PUBLISH_PROBE_SUBJECT });
    return { name: 'publish alone: JetStream 320 B', messages: count, bytes: 0, seconds, perMessageMs: times, cpu: usage, note: 'p50/p95: one publish (awaited ack)' };
  }

  private async fetchedCount(): Promise<{ count: number; lastTs: number; lastSeq: number }> {
    const info = await this.jsm.streams.info(EVENTS_STREAM.name, { subjects_filter: Events.messageFetched.subject });
    return { count: info.state.subjects?.[Events.messageFetched.subject] ?? 0, lastTs: Date.parse(info.state.last_ts), lastSeq: info.state.last_seq };
  }

  /**
   * Enables a disabled account (the registry's account.changed makes the fetcher run it now) and waits
   * until all `expected` records and events exist. The end is the stream's last timestamp, so the poll
   * interval does not count, unless records were still missing then (see below).
   */
  async mailbus({ name, username, protocol, expected }: { name: string; username: string; protocol: 'imap' | 'pop3'; expected: number }): Promise<StageResult> {
    this.owner ??= (await this.system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Bench', addresses: ['bench-owner@example.com'] } })).body;
    const receive = { protocol, host: '127.0.0.1', port: protocol === 'imap' ? this.ports.imap : this.ports.pop3, security: SECURITY, username, password: DEFAULT_MAIL_PASSWORD, intervalSeconds: 3600, enabled: false, ...(protocol === 'pop3' ? { leaveOnServer: true } : {}) };
    const created = await this.system.api<AccountView>('POST', '/v1/accounts', { body: { name: `${name}`, email: `${username}.${Date.now()}@example.com`, owners: [this.owner.id], receive } });
    if (created.status !== 201) throw new Error(`account not created: ${created.status} ${JSON.stringify(created.body)}`);
    const accountId = created.body.id;
    await sleep(500); // let the registry's account.created settle in the fetcher (it schedules nothing while disabled)
    const before = await this.fetchedCount();
    const fetcherPid = this.system.pid('fetcher');
    const rssReset = fetcherPid !== undefined && (await resetPeakRss(fetcherPid));
    const cpu = this.cpu();
    await cpu.start();
    const started = Date.now();
    const patched = await this.system.api('PATCH', `/v1/accounts/${accountId}`, { body: { receive: { enabled: true } } });
    if (patched.status !== 200) throw new Error(`account not enabled: ${patched.status} ${JSON.stringify(patched.body)}`);
    let now = before;
    while (now.count - before.count < expected) {
      if (Date.now() - started > STAGE_TIMEOUT_MS) throw new Error(`${name}: only ${now.count - before.count} of ${expected} events after ${STAGE_TIMEOUT_MS} ms`);
      await sleep(100);
      now = await this.fetchedCount();
    }
    // A record is written after its event (MessageIngestService), so the last group's records may
    // still be on their way: then the stage ends when they are seen, not at the last event.
    let recordsLagged = false;
    while ((await this.records.countDocuments({ accountId })) < expected && Date.now() - started < STAGE_TIMEOUT_MS) {
      recordsLagged = true;
      await sleep(50);
    }
    const ended = recordsLagged ? Date.now() : now.lastTs;
    const usage = await cpu.stop();
    const seconds = (ended - started) / 1000;
    const peak = rssReset && fetcherPid !== undefined ? await peakRss(fetcherPid) : undefined;

    const stored = await this.records.find({ accountId }, { projection: { size: 1 } }).toArray();
    const bytes = stored.reduce((sum, record) => sum + Number(record.size), 0);
    const { gaps, keys } = await this.eventGaps({ fromSeq: before.lastSeq + 1, accountId });
    const status = (await this.system.api<SyncStatusView>('GET', `/v1/accounts/${accountId}/status`)).body;
    const pickup = status.lastRunAt ? Date.parse(status.lastRunAt) - started : undefined;
    const problems: string[] = [];
    if (stored.length !== expected) problems.push(`${stored.length} records`);
    if (keys.size !== expected || gaps.length + 1 !== expected) problems.push(`${gaps.length + 1} events, ${keys.size} distinct`);
    return {
      name,
      messages: stored.length,
      bytes,
      seconds,
      perMessageMs: gaps,
      cpu: usage,
      peakRssBytes: peak,
      note: `p50/p95: gap between message.fetched events; last run started ${pickup === undefined ? '?' : pickup} ms after enabling${problems.length ? `; MISMATCH: ${problems.join(', ')}` : '; records and events complete, no duplicates'}`,
    };
  }

  /** Gaps between the stream timestamps of this account's message.fetched events, and their distinct fetch keys. */
  private async eventGaps({ fromSeq, accountId }: { fromSeq: number; accountId: string }): Promise<{ gaps: number[]; keys: Set<string> }> {
    const js = jetstream(this.nc);
    const consumer = await js.consumers.get(EVENTS_STREAM.name, { filter_subjects: Events.messageFetched.subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq });
    const { lastSeq } = await this.fetchedCount();
    const keys = new Set<string>();
    const times: number[] = [];
    const messages = await consumer.consume();
    for await (const message of messages) {
      const event = fromBinary(MessageFetchedSchema, message.data);
      if (event.accountId === accountId) {
        keys.add(event.fetchKey);
        times.push(Number(message.info.timestampNanos) / 1e6);
      }
      if (message.seq >= lastSeq) break;
    }
    await messages.close();
    times.sort((a, b) => a - b);
    return { gaps: times.slice(1).map((time, index) => time - times[index]!), keys };
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const corpus = buildBenchCorpus({ count: MESSAGES, recipient: 'bench@example.com' });
  const sizes = corpus.messages.map((message) => message.length).sort((a, b) => a - b);
  say(`fetch benchmark: ${MESSAGES} messages, ${fixed(corpus.totalBytes / 1e6, 2)} MB, ${sizes[0]}..${sizes[sizes.length - 1]} B, median ${sizes[sizes.length >> 1]} B, ${corpus.withAttachment} with an attachment; security ${SECURITY}`);
  const system = await startSystem({ services: ['api', 'account-registry', 'fetcher'], stack: { mail: true }, env: { LOG_LEVEL: 'warn', FETCH_MAX_MESSAGES_PER_RUN: String(Math.max(MESSAGES * 2, 1_000)) } });
  const nc = await connect({ servers: system.stack.natsUrl.split(',') });
  const mongo = await MongoClient.connect(system.env.MONGODB_URL!);
  const proxies: CountingProxy[] = [];
  try {
    const nodeEnv = benchNodeEnv(CPU_PROFILE_DIR);
    if (nodeEnv) await system.restart('fetcher', nodeEnv);
    const seedStarted = performance.now();
    await seedMaildir({ system, username: 'benchimap', messages: corpus.messages });
    await seedMaildir({ system, username: 'benchpop', messages: corpus.messages });
    say(`seeded 2 Maildirs in ${fixed((performance.now() - seedStarted) / 1000, 2)} s; machine: ${cpus().length} cores, shared with other work (figures vary run to run)`);
    const dovecot = system.stack.dovecot!;
    const direct = SECURITY === 'tls' ? { imap: dovecot.imapsPort, pop3: dovecot.pop3sPort } : { imap: dovecot.imapPort, pop3: dovecot.pop3Port };
    if (RTT_MS > 0) {
      const [imap, pop3] = await Promise.all([direct.imap, direct.pop3].map((targetPort) => startCountingProxy({ targetPort, oneWayMs: RTT_MS / 2 })));
      proxies.push(imap!, pop3!);
      say(`every client reaches Dovecot through a proxy that adds ${RTT_MS} ms to each round trip`);
    }
    const ports = RTT_MS > 0 ? { imap: proxies[0]!.port, pop3: proxies[1]!.port } : direct;
    const bench = new Bench(system, nc, await jetstreamManager(nc), mongo.db(system.env.MONGODB_DB).collection('fetched_messages'), ports);
    say();

    const { stage: imapBare, sources } = await bench.bareImap({ username: 'benchimap' });
    printStage(imapBare);
    printStage(await bench.storeAlone({ sources, mode: 'single' }), imapBare);
    const storeBatched = await bench.storeAlone({ sources, mode: 'batched' });
    printStage(storeBatched, imapBare);
    printStage(await bench.publishAlone({ count: MESSAGES }), imapBare);
    const imapMailbus = await bench.mailbus({ name: 'IMAP mailbus (one run)', username: 'benchimap', protocol: 'imap', expected: MESSAGES });
    printStage(imapMailbus, imapBare);
    say();
    const popOneByOne = await bench.barePop3({ username: 'benchpop', pipelined: false });
    printStage(popOneByOne);
    const popPipelined = await bench.barePop3({ username: 'benchpop', pipelined: true });
    printStage(popPipelined, popOneByOne);
    // The yardstick is the faster of the two bare clients.
    const popBare = rate(popPipelined) >= rate(popOneByOne) ? popPipelined : popOneByOne;
    const popMailbus = await bench.mailbus({ name: 'POP3 mailbus (one run)', username: 'benchpop', protocol: 'pop3', expected: MESSAGES });
    printStage(popMailbus, popBare);

    const results: Array<[string, StageResult, StageResult]> = [
      ['IMAP', imapMailbus, imapBare],
      ['POP3', popMailbus, popBare],
    ];
    if (WITH_DEFAULT_BUDGET) {
      say();
      await system.restart('fetcher', { FETCH_MAX_MESSAGES_PER_RUN: String(PRODUCTION_BUDGET) });
      printStage(await bench.mailbus({ name: `IMAP mailbus (${PRODUCTION_BUDGET}/run)`, username: 'benchimap', protocol: 'imap', expected: MESSAGES }), imapBare);
      printStage(await bench.mailbus({ name: `POP3 mailbus (${PRODUCTION_BUDGET}/run)`, username: 'benchpop', protocol: 'pop3', expected: MESSAGES }), popBare);
    }
    say();
    for (const [protocol, mailbus, bare] of results) {
      const ratio = rate(mailbus) / rate(bare);
      say(`${protocol}: mailbus ${fixed(rate(mailbus), 0)} msg/s vs bare ${fixed(rate(bare), 0)} msg/s = ${fixed(100 * ratio, 0)} % (target ${100 * TARGET_RATIO} %: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}); vs the store's batched write rate ${fixed(rate(storeBatched), 0)} msg/s = ${fixed((100 * rate(mailbus)) / rate(storeBatched), 0)} %`);
    }
  } finally {
    await nc.close();
    await mongo.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await system.stop();
    if (CPU_PROFILE_DIR) say(`fetcher CPU profile(s) in ${CPU_PROFILE_DIR}`);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    say(`fetch benchmark failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
