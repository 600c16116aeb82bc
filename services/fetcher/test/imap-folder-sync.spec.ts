import { ImapFlow } from 'imapflow';
import { MongoClient, type Db } from 'mongodb';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderRole } from '@mailbus/contracts';
import { imapFlowOptions } from '@mailbus/mail-clients';
import { accountId } from '@mailbus/mongo-dal';
import { DEFAULT_MAIL_PASSWORD, appendMessage, seedMaildir, startStack, type Stack } from '@mailbus/testing';
import { FetchedMessageRepository } from '../src/ingest/fetched-message.repository';
import type { IngestResult, IngestSource, MessageIngestService } from '../src/ingest/message-ingest.service';
import { ImapFolderSync, type FolderSyncResult } from '../src/imap/imap-folder.sync';
import { RelinkedMessageRepository } from '../src/imap/relinked-message.repository';
import { FolderCheckpointRepository } from '../src/sync-status/sync-state.repositories';
import { checkpointId, type FolderCheckpointDocument } from '../src/sync-status/sync-state.documents';

/**
 * ImapFolderSync against Dovecot and the store, with the ingest step replaced by one that can fail a
 * chosen batch: two groups are stored at a time, and the cursor must never move past a group whose
 * store failed, even when the group after it was stored first. A proxy in front of Dovecot plays a
 * server that refuses or leaves out one message's metadata, and counts the bodies it sends.
 */
const USERNAME = 'groups';
const ACCOUNT = accountId('acc-groups');
let stack: Stack;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  stack = await startStack({ mail: true });
  mongo = await new MongoClient(stack.mongoUrl).connect();
  db = mongo.db('imap_folder_sync_test');
  await seedMaildir({ dovecot: stack.dovecot!, username: USERNAME, password: DEFAULT_MAIL_PASSWORD, messages: [] });
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

/** Stands in for MessageIngestService: notes the UIDs it "stores"; `failBatch` (1-based) rejects once the batch after it has been stored. */
class BatchIngest {
  readonly storedUids: number[] = [];
  private batches = 0;
  private releaseFailure?: () => void;

  constructor(private readonly failBatch?: number) {}

  async ingestMany({ messages }: { messages: Array<{ source: IngestSource; bytes: Buffer }> }): Promise<Array<IngestResult | Error>> {
    const batch = ++this.batches;
    const uids = messages.map(({ source }) => (source.protocol === 'imap' ? source.uid : 0));
    if (batch === this.failBatch) {
      await new Promise<void>((resolve) => (this.releaseFailure = resolve));
      throw new Error(`batch ${batch} could not be stored`);
    }
    this.storedUids.push(...uids);
    if (batch === (this.failBatch ?? 0) + 1) this.releaseFailure?.();
    return uids.map((uid) => ({ fetchKey: `uid:${uid}`, size: 1 }));
  }
}

const message = (n: number): Buffer => Buffer.from(`From: a@example.com\r\nTo: ${USERNAME}@example.com\r\nSubject: message ${n}\r\nMessage-ID: <group-${n}@example.com>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nBody ${n}\r\n`);

const mail = (n: number, user: string): Buffer => Buffer.from(`From: a@example.com\r\nTo: ${user}@example.com\r\nSubject: message ${n}\r\nMessage-ID: <${user}-${n}@example.com>\r\n\r\nBody ${n}\r\n`);

/** Stands in for MessageIngestService: writes the fetch record (what re-linking looks for) and notes the Message-IDs it stored. */
class RecordingIngest {
  readonly stored: string[] = [];

  async ingestMany({ accountId: account, messages }: { accountId: string; messages: Array<{ source: IngestSource; bytes: Buffer }> }): Promise<Array<IngestResult | Error>> {
    const records = new FetchedMessageRepository(db);
    return Promise.all(
      messages.map(async ({ source, bytes }) => {
        if (source.protocol !== 'imap') throw new Error('IMAP only');
        const key = `${account}:${source.folder}:${source.uidValidity}:${source.uid}`;
        await records.insertIfAbsent({ _id: key, accountId: accountId(account), protocol: 'imap', folder: source.folder, uidValidity: source.uidValidity, uid: source.uid, ...(source.messageIdHeader ? { messageIdHeader: source.messageIdHeader } : {}), blobId: key, size: bytes.length, sha256: '', fetchedAt: new Date() });
        this.stored.push(source.messageIdHeader ?? `uid:${source.uid}`);
        return { fetchKey: key, size: bytes.length };
      }),
    );
  }
}

interface SyncOptions {
  username?: string;
  account?: string;
  path?: string;
  onlySinceDays?: number;
  /** Another port than Dovecot's plain IMAP one (the fault proxy). */
  port?: number;
  /** Another store of relinks than the real one (one that fails). */
  relinks?: RelinkedMessageRepository;
}

async function syncOnce(ingest: BatchIngest | RecordingIngest, { username = USERNAME, account = ACCOUNT, path = 'INBOX', onlySinceDays, port = stack.dovecot!.imapPort, relinks = new RelinkedMessageRepository(db) }: SyncOptions = {}): Promise<FolderSyncResult> {
  const client = new ImapFlow({ ...imapFlowOptions({ host: stack.dovecot!.host, port, protocol: 'imap', security: 'none', username, password: DEFAULT_MAIL_PASSWORD }), logger: false });
  await client.connect();
  try {
    const sync = new ImapFolderSync(
      { client, ingest: ingest as unknown as MessageIngestService, records: new FetchedMessageRepository(db), checkpoints: new FolderCheckpointRepository(db), relinks },
      { accountId: accountId(account), path, role: FolderRole.INBOX, dedupeAcrossFolders: false, ...(onlySinceDays ? { onlySinceDays } : {}) },
    );
    return await sync.run({ budget: 1_000, signal: new AbortController().signal, tally: { messages: 0 } });
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const checkpoint = async ({ account = ACCOUNT, path = 'INBOX' }: { account?: string; path?: string } = {}): Promise<FolderCheckpointDocument | null> =>
  db.collection<FolderCheckpointDocument>('folder_checkpoints').findOne({ _id: checkpointId({ accountId: account, path }) });
const lastUid = async (): Promise<number | undefined> => (await checkpoint())?.lastUid;

describe(ImapFolderSync.name, () => {
  it('should keep the cursor before a group whose store failed though the group after it was stored, and fetch both next run', async () => {
    await syncOnce(new BatchIngest());
    expect(await lastUid()).toBe(0);
    await seedMaildir({ dovecot: stack.dovecot!, username: USERNAME, password: DEFAULT_MAIL_PASSWORD, messages: Array.from({ length: 250 }, (_, index) => message(index + 1)) });

    const failing = new BatchIngest(2);
    await expect(syncOnce(failing)).rejects.toThrow('batch 2 could not be stored');

    // Groups of 100: the first (UIDs 1–100) and the third (201–250) were stored, the second was not.
    expect(failing.storedUids).toEqual([...range(1, 100), ...range(201, 250)]);
    expect(await lastUid()).toBe(100);
    const next = new BatchIngest();
    await syncOnce(next);
    expect(next.storedUids).toEqual(range(101, 250));
    expect(await lastUid()).toBe(250);
  });
});

describe('a message the server will not describe', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(stack.dovecot!.imapPort);
  });
  afterAll(() => proxy?.close());

  /** A user whose INBOX was synced once while empty, then got four messages: the forward cursor takes them. */
  async function fourNewMessages(user: string): Promise<SyncOptions> {
    await stack.dovecot!.addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    const options = { username: user, account: `acc-${user}`, port: proxy.port };
    await syncOnce(new RecordingIngest(), options);
    for (const n of [1, 2, 3, 4]) await appendMessage({ dovecot: stack.dovecot!, username: user, raw: mail(n, user) });
    return options;
  }

  it.each([
    ['answers NO for its metadata FETCH', 'refuse', /^the server returned no size or envelope for UID 2 \(NO Internal error occurred\.[^)]*\) \(attempt 1 of 5\)$/],
    ['leaves it out of the metadata FETCH', 'omit', /^the server returned no size or envelope for UID 2 \(attempt 1 of 5\)$/],
  ] as const)('should store the others, list it as failed past the cursor and fetch it once the server %s no more', async (_case, mode, error) => {
    const user = `describe${mode}`;
    const options = await fourNewMessages(user);
    proxy.poison = { uid: 2, mode };

    const first = new RecordingIngest();
    const result = await syncOnce(first, options);
    expect(result).toMatchObject({ fetched: 3, messageErrors: [{ uid: 2, message: expect.stringMatching(error) }] });
    expect(first.stored.sort()).toEqual([1, 3, 4].map((n) => `${user}-${n}@example.com`));
    expect(await checkpoint(options)).toMatchObject({ lastUid: 4, failedUids: [{ uid: 2, attempts: 1 }] });

    // Still refused: retried, counted, the run goes on.
    expect(await syncOnce(new RecordingIngest(), options)).toMatchObject({ fetched: 0, messageErrors: [{ uid: 2, message: expect.stringMatching(/attempt 2 of 5/) }] });

    proxy.poison = undefined;
    const healed = new RecordingIngest();
    expect(await syncOnce(healed, options)).toMatchObject({ fetched: 1, messageErrors: [] });
    expect(healed.stored).toEqual([`${user}-2@example.com`]);
    expect((await checkpoint(options))?.failedUids ?? []).toEqual([]);
  });
});

describe('UIDVALIDITY change', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(stack.dovecot!.imapPort);
  });
  afterAll(() => proxy?.close());

  const DAY_MS = 86_400_000;
  const OLD = new Date(Date.now() - 100 * DAY_MS);
  const RECENT = new Date(Date.now() - DAY_MS);

  async function fillProjects(user: string, dated: Array<[number, Date | undefined]>): Promise<void> {
    for (const [n, date] of dated) await appendMessage({ dovecot: stack.dovecot!, username: user, folder: 'Projects', raw: mail(n, user), ...(date ? { date } : {}) });
  }

  it('should neither replay what onlySinceDays left on the server nor download the messages it re-links', async () => {
    const user = 'rebase';
    await stack.dovecot!.addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await stack.dovecot!.doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    await fillProjects(user, [
      [1, OLD],
      [2, OLD],
      [3, RECENT],
      [4, RECENT],
    ]);
    const options = { username: user, account: `acc-${user}`, path: 'Projects', onlySinceDays: 30, port: proxy.port };
    const firstSync = new RecordingIngest();
    await syncOnce(firstSync, options);
    expect(firstSync.stored.sort()).toEqual([`${user}-3@example.com`, `${user}-4@example.com`]);
    const before = await checkpoint(options);

    // The folder is rebuilt (new UIDVALIDITY) with the same messages, and one new one arrives.
    await stack.dovecot!.doveadm(['mailbox', 'delete', '-u', user, 'Projects']);
    await stack.dovecot!.doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    await fillProjects(user, [
      [1, OLD],
      [2, OLD],
      [3, RECENT],
      [4, RECENT],
      [5, undefined],
    ]);
    proxy.resetCounts();
    const afterChange = new RecordingIngest();
    const result = await syncOnce(afterChange, options);

    expect((await checkpoint(options))?.uidValidity).not.toBe(before?.uidValidity);
    expect(result).toMatchObject({ fetched: 1, relinked: 2, messageErrors: [] });
    expect(afterChange.stored).toEqual([`${user}-5@example.com`]);
    // Bodies went over the wire for the new message only: the re-linked ones were matched on their metadata.
    expect(proxy.bodiesSent).toEqual([5]);
    expect(await checkpoint(options)).toMatchObject({ lastUid: 5 });
  });

  it('should not move the cursor past relinked messages before retention can tell which record each is', async () => {
    const user = 'relinklinks';
    await stack.dovecot!.addUser({ username: user, password: DEFAULT_MAIL_PASSWORD });
    await stack.dovecot!.doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    await fillProjects(user, [
      [1, undefined],
      [2, undefined],
    ]);
    const options = { username: user, account: `acc-${user}`, path: 'Projects' };
    await syncOnce(new RecordingIngest(), options);
    const records = await db.collection('fetched_messages').find({ accountId: options.account }).sort({ uid: 1 }).toArray();
    await stack.dovecot!.doveadm(['mailbox', 'delete', '-u', user, 'Projects']);
    await stack.dovecot!.doveadm(['mailbox', 'create', '-u', user, 'Projects']);
    await fillProjects(user, [
      [1, undefined],
      [2, undefined],
    ]);

    // The store refuses the links: the run fails, and the cursor stays before the messages.
    const refusing = Object.assign(new RelinkedMessageRepository(db), { remember: () => Promise.reject(new Error('the store refused the links')) });
    await expect(syncOnce(new RecordingIngest(), { ...options, relinks: refusing })).rejects.toThrow('the store refused the links');
    expect(await checkpoint(options)).toMatchObject({ lastUid: 0, relinkUpToUid: 2 });

    expect(await syncOnce(new RecordingIngest(), options)).toMatchObject({ fetched: 0, relinked: 2 });
    const uidValidity = (await checkpoint(options))?.uidValidity;
    const links = await db.collection('relinked_messages').find({ accountId: options.account }).sort({ uid: 1 }).toArray();
    expect(links.map(({ _id, recordId }) => ({ _id, recordId }))).toEqual(records.map(({ _id }, index) => ({ _id: `${options.account}/imap/Projects/${uidValidity}/${index + 1}`, recordId: _id })));
    expect(await db.collection('fetched_messages').countDocuments({ accountId: options.account })).toBe(2);
  });
});

/** A server-side fault the proxy plays: the metadata FETCH (ENVELOPE) gets no data for `uid`; with 'refuse' it is answered NO. */
interface Poison {
  uid: number;
  mode: 'refuse' | 'omit';
}

interface FaultProxy {
  port: number;
  poison?: Poison;
  /** UIDs whose BODY[] the server sent through the proxy, in order. */
  readonly bodiesSent: number[];
  resetCounts(): void;
  close(): Promise<void>;
}

/**
 * A plain-IMAP pass-through to Dovecot that plays a server with one broken message. Dovecot itself
 * never answers NO to a FETCH (it hangs up instead, see fetcher-imap.e2e.spec.ts); other servers
 * answer NO, or OK without the message. It reads the client's commands line by line (our client
 * sends no literals here) and the server's responses whole, literals included.
 */
async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    port: 0,
    bodiesSent: [],
    resetCounts: () => void proxy.bodiesSent.splice(0),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy(), sockets.delete(socket)));
    }
    /** Tags of metadata FETCHes that include the poisoned UID, with the poison then in force. */
    const poisoned = new Map<string, Poison>();
    let partialLine = '';
    client.on('data', (chunk: Buffer) => {
      const lines = (partialLine + chunk.toString('latin1')).split('\r\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) {
        const command = /^(\S+) UID FETCH (\S+) (.*)$/i.exec(line);
        if (command && proxy.poison && /ENVELOPE/i.test(command[3]!) && inSequenceSet(proxy.poison.uid, command[2]!)) poisoned.set(command[1]!, proxy.poison);
      }
      upstream.write(chunk);
    });
    upstream.on(
      'data',
      responseReader((response) => {
        const head = response.subarray(0, 200).toString('latin1');
        const fetched = /^\* \d+ FETCH \(.*?\bUID (\d+)/.exec(head);
        const uid = Number(fetched?.[1]);
        if (fetched && /ENVELOPE \(/.test(response.toString('latin1')) && [...poisoned.values()].some((poison) => poison.uid === uid)) return;
        if (fetched && /BODY\[\]/.test(head)) proxy.bodiesSent.push(uid);
        const tagged = /^(\S+) OK/.exec(head);
        const poison = tagged ? poisoned.get(tagged[1]!) : undefined;
        if (tagged && poisoned.delete(tagged[1]!) && poison?.mode === 'refuse') return void client.write(`${tagged[1]} NO [SERVERBUG] Internal error occurred. Refer to server log for more information.\r\n`);
        client.write(response);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.port = (server.address() as { port: number }).port;
  return proxy;
}

/** Splits the server's stream into whole responses: a line, and where it ends in a literal `{n}`, the n bytes and the rest of the response. */
function responseReader(onResponse: (response: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let scanned = 0;
  let literal = 0;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (literal > 0) {
        if (pending.length - scanned < literal) return;
        scanned += literal;
        literal = 0;
      }
      const end = pending.indexOf('\r\n', scanned);
      if (end === -1) return;
      const announced = /\{(\d+)\+?\}$/.exec(pending.subarray(Math.max(scanned, end - 24), end).toString('latin1'));
      scanned = end + 2;
      if (announced) {
        literal = Number(announced[1]);
        continue;
      }
      onResponse(pending.subarray(0, scanned));
      pending = pending.subarray(scanned);
      scanned = 0;
    }
  };
}

/** Whether an IMAP sequence set such as `1:3,5,7:*` contains `uid`. */
function inSequenceSet(uid: number, set: string): boolean {
  return set.split(',').some((part) => {
    const [from, to = from] = part.split(':').map((bound) => (bound === '*' ? Infinity : Number(bound)));
    return uid >= Math.min(from!, to!) && uid <= Math.max(from!, to!);
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
