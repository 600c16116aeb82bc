import { Injectable, Logger } from '@nestjs/common';
import { Pop3Client, Pop3ResponseError, loginDelay } from '@mailbus/mail-clients';
import type { MailServerSettings } from '@mailbus/mail-clients';
import { FetchedMessageRepository, type StoredPop3Record } from '../ingest/fetched-message.repository';
import { MessageIngestService, type IngestSource } from '../ingest/message-ingest.service';
import type { RunInput, RunNotes, RunResult, StoredTally } from '../runs/fetch-account';
import type { Pop3KeyedMessage } from './pop3-content-key.util';
import { Pop3FailureMemory } from './pop3-failure-memory';
import { Pop3DeletionRequests } from './pop3-deletion-requests';
import { messagesToDelete } from './pop3-deletions.util';
import { dateHeader, listsNewestFirst, needsOrderDetection, pickBatch } from './pop3-fetch-order.util';
import { rekeyReusedUidls } from './pop3-reused-uidl.util';
import { Pop3RunSession } from './pop3-run-session';
import { groupForFetch, isStreamedGroup } from '../imap/fetch-groups.util';
import { settledLater } from '../runs/settled-later.util';
import type { AccountId } from '@mailbus/mongo-dal';

/** POP3 has one folder; messageErrors name it like IMAP's do. */
const FOLDER = 'INBOX';

/**
 * One run of a POP3 account. Stored messages are known from the fetch records (by UIDL, or by
 * content key on a server without UIDL); new ones are fetched newest first, stored and published,
 * and only then marked with DELE; QUIT commits the deletions. A crash before QUIT deletes nothing
 * (RFC 1939), and the next run finds the messages stored already and deletes them then. With
 * leaveOnServer, messages stay until deleteAfterDays after they were first fetched (getmail's rule,
 * not the Date header).
 *
 * Failures: a RETR the server refuses (-ERR: deleted by another client, unreadable on the server) is
 * skipped and reported in messageErrors; it has no record, so a later run tries it again (rule 12).
 * A connection the server drops (or stops answering on) while it sends messages is opened again and
 * the run goes on: a group of messages is fetched one at a time, and a single message it drops on is
 * skipped like a refused one. Otherwise that message would fail every run, and as it is among the
 * newest, it would come first every time and nothing would ever be deleted. At most
 * MAX_RECONNECTS_PER_RUN times a run; then it stops fetching and deletes what it stored. Skipped
 * messages are remembered across runs (Pop3FailureMemory, listed in the account's status): later runs
 * take them last and alone, and give them up after a few tries; they stay on the server. A server
 * with a LOGIN-DELAY is not logged in to again within the run: after a drop the run ends there, and
 * deletes next time. Anything else (MongoDB, NATS, a drop outside RETR) fails the run.
 */
@Injectable()
export class Pop3AccountSync {
  private readonly logger = new Logger(Pop3AccountSync.name);

  constructor(
    private readonly ingest: MessageIngestService,
    private readonly records: FetchedMessageRepository,
    private readonly deletionRequests: Pop3DeletionRequests,
  ) {}

  async run({ account, budget, timeoutMs, signal, tally, state, notes }: RunInput): Promise<RunResult> {
    const { receive } = account;
    // The signal closes the connection at once, also mid-RETR: shutdown is never held up by a slow
    // server or a large message. See the abort handling below for why that loses nothing.
    const result: RunResult = { fetched: 0, more: false, folderErrors: [], messageErrors: [] };
    const login = (): Promise<Pop3Client> => this.login({ server: account.server, timeoutMs, signal, notes });
    // Within the run too: the server would refuse the login ([LOGIN-DELAY]) and the run would fail.
    const relogin = async (): Promise<Pop3Client | undefined> => (notes.notBefore && notes.notBefore.getTime() > Date.now() ? undefined : login());
    const client = await login().catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
    if (!client) return { ...result, more: true };
    const memory = new Pop3FailureMemory(state);
    let session: Pop3RunSession | undefined;
    try {
      session = await Pop3RunSession.open({ client, login: relogin });
      const { listing } = session;
      for (const { number, message } of listing.unkeyed) this.skipped({ result, accountId: account.id, key: `message ${number}`, message });
      if (listing.sharedUidls.length > 0) this.logger.warn({ msg: 'the POP3 server lists one UIDL for several messages; they are keyed by content', accountId: account.id, uidls: listing.sharedUidls.slice(0, 10) });
      const stored = await this.storedRecords({ accountId: account.id, session });
      memory.listing({ keys: session.messages.map(({ key }) => key), stored: stored.keys() });
      const fresh = session.messages.filter(({ key }) => !stored.has(key) && !memory.givenUp(key));
      const newestFirst = needsOrderDetection({ fresh: fresh.length, budget }) && (await this.listsNewestFirst({ client: session.client, fresh }));
      const batch = pickBatch({ fresh, budget, newestFirst, rank: ({ key }) => memory.rank(key) });
      result.more = fresh.length > batch.length;

      const fetchedNow = await this.fetchBatch({ session, batch, accountId: account.id, result, tally, signal, memory });
      // Shutdown between groups: stop here. The abort has closed the connection already (no QUIT),
      // so DELEs sent in this session are not committed; see below.
      if (!fetchedNow) return { ...result, more: true };
      // The server dropped the connection and its LOGIN-DELAY forbids another login: nothing to send
      // DELE on. What this run stored is deleted by the next one, which the delay holds back.
      if (session.lost) {
        this.logger.warn({ msg: 'the POP3 server dropped the connection and its LOGIN-DELAY forbids another login; this run ends here and the next one deletes what it stored', accountId: account.id, notBefore: notes.notBefore });
        return { ...result, more: true };
      }

      // A message that could not be keyed by content may have shifted the occurrence suffixes of
      // identical copies: delete nothing until every message has its key.
      const keyable = session.listing.unkeyed.length === 0;
      // Read also without leaveOnServer: requests made before it was switched off are done by this run's deletions.
      const requested = keyable ? await this.deletionRequests.forAccount(account.id) : new Map<string, string>();
      const deletable = keyable ? messagesToDelete({ messages: session.messages, stored, fetchedNow, leaveOnServer: receive.leaveOnServer, deleteAfterDays: receive.deleteAfterDays, now: Date.now(), requested: new Set(requested.keys()) }) : [];
      await session.client.deleMany(deletable);
      await session.client.quit();
      // Committed: a request is done when its message was deleted now or is gone already (another
      // client, an earlier run that died before this point); one held back (an identical copy not yet
      // stored) waits for a later run.
      const deleted = new Set(deletable);
      const left = new Set(session.messages.filter(({ number }) => !deleted.has(number)).map(({ key }) => key));
      await this.deletionRequests.done({ accountId: account.id, ids: [...requested].filter(([key]) => !left.has(key)).map(([, id]) => id) });
      return result;
    } catch (error) {
      // Aborted at shutdown: the connection was closed without QUIT, so the server deletes nothing
      // of this session, not even messages already stored and marked with DELE (that would have
      // been safe to commit, but QUIT needs one more answer from a server that may be the reason we
      // are slow, and a shutdown must be bounded). They are stored, so the next run deletes them;
      // the message in hand has no record and is fetched again. Reported as unfinished work, not as
      // a failure of the account.
      if (signal.aborted) return { ...result, more: true };
      throw error;
    } finally {
      (session?.client ?? client).close();
      // Also when the run failed: the attempts it made count.
      notes.pop3Memory = memory.changes();
    }
  }

  /** Connects and logs in; notes the server's LOGIN-DELAY for the run's outcome. Closes the connection when the login fails. */
  private async login({ server, timeoutMs, signal, notes }: { server: MailServerSettings; timeoutMs: number; signal: AbortSignal; notes: RunNotes }): Promise<Pop3Client> {
    const client = await Pop3Client.connect({ host: server.host, port: server.port, security: server.security, timeoutMs, signal });
    try {
      const announced = loginDelay(await client.capabilities());
      await client.login({ username: server.username, password: server.password });
      // RFC 2449 §6.5: the delay runs from the +OK to the login; `USER` means the listing after login has this user's value.
      const loggedInAt = Date.now();
      const delay = announced?.perUser ? (loginDelay(await client.capabilities()) ?? announced) : announced;
      if (delay && delay.seconds > 0) notes.notBefore = new Date(loggedInAt + delay.seconds * 1000);
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /**
   * The records of the listed messages, by key. A UIDL whose record has another size than the listed
   * message was given to a new message (rekeyReusedUidls): the session keys it apart, so that it is
   * fetched instead of being taken for stored and deleted unfetched.
   */
  private async storedRecords({ accountId, session }: { accountId: AccountId; session: Pop3RunSession }): Promise<Map<string, StoredPop3Record>> {
    const byUidl = await this.records.storedUidls({ accountId, uidls: session.messages.map(({ key }) => key) });
    const recordListSizes = new Map([...byUidl].flatMap(([key, { listSize }]) => (listSize === undefined ? [] : [[key, listSize] as const])));
    session.keyWith(({ messages, sizes }) => rekeyReusedUidls({ messages, sizes, recordListSizes }));
    const reused = session.messages.filter(({ key, uidl }) => uidl !== undefined && key !== uidl);
    if (reused.length === 0) return byUidl;
    const byReusedKey = await this.records.storedUidls({ accountId, uidls: reused.map(({ key }) => key) });
    const unseen = reused.filter(({ key }) => !byReusedKey.has(key));
    if (unseen.length > 0) this.logger.warn({ msg: 'POP3 UIDL given to a new message (its size differs from the stored one); it is fetched as a new message', accountId, uidls: unseen.slice(0, 10).map(({ uidl }) => uidl) });
    return new Map([...byUidl, ...byReusedKey]);
  }

  /**
   * Fetches and stores the batch, newest first. @returns the keys stored (their events published),
   * or undefined when the run was aborted
   */
  private async fetchBatch({ session, batch, accountId, result, tally, signal, memory }: FetchContext & { batch: Pop3KeyedMessage[]; tally: StoredTally }): Promise<Set<string> | undefined> {
    const fetchedNow = new Set<string>();
    // Those that failed or were suspected before go alone: a drop on one then costs no group.
    const alone = new Set(batch.filter(({ key }) => memory.rank(key) > 0).map(({ number }) => number));
    const groups = groupForFetch(
      batch.map((message) => ({ ...message, uid: message.number, size: session.listing.sizes.get(message.number) ?? Number.MAX_SAFE_INTEGER })),
      alone,
    );
    const fetching = { session, accountId, result, signal, memory };
    let retrieving: Promise<RetrievedMessage[]> | undefined;
    // The previous group's store, still running: two groups are stored at a time, so that the
    // store writes one while this process compresses and encodes the next (each would otherwise
    // wait for the other). Nothing depends on their order: DELE comes after both.
    let storing: Promise<string[]> | undefined;
    const counted = (keys: string[]): void => {
      for (const key of keys) {
        fetchedNow.add(key);
        memory.fetched(key);
      }
      result.fetched += keys.length;
    };
    try {
      for (const [n, group] of groups.entries()) {
        if (signal.aborted) return undefined;
        if (session.exhausted) {
          if (!session.lost) this.logger.warn({ msg: 'the POP3 server keeps dropping the connection; this run stops fetching and deletes what it stored', accountId, reconnects: session.reconnects });
          break;
        }
        if (isStreamedGroup(group)) {
          const previous = storing;
          storing = undefined;
          if (previous) counted(await previous);
          counted(await this.storeStreamed({ ...fetching, message: group[0]!, tally }));
          continue;
        }
        const retrieved = await this.retrievedOrRetried({ ...fetching, group, retrieving: retrieving ?? this.retrieveGroup({ ...fetching, group }) });
        // Pipelined: the next group's RETRs run while this group is stored. Not before a streamed
        // message, whose store reads from the connection.
        const following = groups[n + 1];
        retrieving = following && !isStreamedGroup(following) && !session.exhausted ? settledLater(this.retrieveGroup({ ...fetching, group: following })) : undefined;
        const previous = storing;
        storing = settledLater(this.storeGroup({ accountId, retrieved, tally }));
        if (previous) counted(await previous);
      }
      if (storing) counted(await storing);
      return fetchedNow;
    } finally {
      // Leaving early (an error, a shutdown): the other store finishes before the run ends, so a
      // run never overlaps its successor's writes of the same messages.
      await storing?.catch(() => undefined);
    }
  }

  /** A large message streamed from RETR into the store. @returns its key, or none when the server refused it or dropped the connection on it */
  private async storeStreamed({ session, accountId, message, result, tally, signal, memory }: FetchContext & { message: Pop3KeyedMessage; tally: StoredTally }): Promise<string[]> {
    const number = session.numberOf(message.key);
    if (number === undefined) return [];
    try {
      await this.ingest.ingest({ accountId, source: pop3Source({ key: message.key, listSize: session.listSizeOf(message.key) }), raw: session.client.retr(number), tally });
      return [message.key];
    } catch (error) {
      if (error instanceof Pop3ResponseError && error.refusedByServer) {
        this.failed({ result, accountId, memory, key: message.key, problem: error.message });
        return [];
      }
      if (!this.dropped({ session, signal })) throw error;
      await this.droppedOn({ session, accountId, key: message.key, result, memory });
      return [];
    }
  }

  /**
   * Small messages read into memory (a group is at most 8 MB), their RETRs pipelined where the server
   * allows it: one round trip per group, not per message. One the server refuses is noted and left out,
   * and so is one gone from the mailbox since the run listed it.
   */
  private async retrieveGroup({ session, accountId, group, result, memory }: FetchContext & { group: Pop3KeyedMessage[] }): Promise<RetrievedMessage[]> {
    const present = group.flatMap(({ key }) => {
      const number = session.numberOf(key);
      return number === undefined ? [] : [{ key, number }];
    });
    const answers = await session.client.retrMany(present.map(({ number }) => number));
    const retrieved: RetrievedMessage[] = [];
    for (const [index, { key }] of present.entries()) {
      const answer = answers[index]!;
      if (answer instanceof Pop3ResponseError) this.failed({ result, accountId, memory, key, problem: answer.message });
      else retrieved.push({ key, bytes: answer, ...optionalListSize(session.listSizeOf(key)) });
    }
    return retrieved;
  }

  /**
   * The group's messages; when the server dropped the connection while sending them, they are fetched
   * again one at a time on a new connection (as the IMAP side does), so that the one it drops on is
   * found and skipped and the others are stored.
   */
  private async retrievedOrRetried({ retrieving, group, ...fetching }: FetchContext & { group: Pop3KeyedMessage[]; retrieving: Promise<RetrievedMessage[]> }): Promise<RetrievedMessage[]> {
    try {
      return await retrieving;
    } catch (error) {
      if (!this.dropped(fetching)) throw error;
      if (group.length === 1) {
        await this.droppedOn({ ...fetching, key: group[0]!.key });
        return [];
      }
      this.logger.warn({ msg: 'the POP3 server dropped the connection while sending messages; they are fetched one at a time on a new connection (next run, while its LOGIN-DELAY forbids one)', accountId: fetching.accountId, messages: group.length, err: fetching.session.client.failure?.message });
      await fetching.session.reconnect();
      return this.retrieveOneByOne({ ...fetching, group });
    }
  }

  private async retrieveOneByOne({ group, ...fetching }: FetchContext & { group: Pop3KeyedMessage[] }): Promise<RetrievedMessage[]> {
    const retrieved: RetrievedMessage[] = [];
    for (const [index, message] of group.entries()) {
      if (fetching.session.exhausted) {
        // Not found out this run which of them it was: next time they go one at a time from the start.
        fetching.memory.droppedTogether(group.slice(index).map(({ key }) => key));
        break;
      }
      try {
        retrieved.push(...(await this.retrieveGroup({ ...fetching, group: [message] })));
      } catch (error) {
        if (!this.dropped(fetching)) throw error;
        await this.droppedOn({ ...fetching, key: message.key });
      }
    }
    return retrieved;
  }

  /** The connection broke by itself (not by the abort signal, nor by a store that gave up on a stream). */
  private dropped({ session, signal }: { session: Pop3RunSession; signal: AbortSignal }): boolean {
    return !signal.aborted && session.client.failure !== undefined;
  }

  /** The server dropped the connection while sending this message alone: skipped this run, and the run goes on in a new session. */
  private async droppedOn({ session, accountId, key, result, memory }: { session: Pop3RunSession; accountId: AccountId; key: string; result: RunResult; memory: Pop3FailureMemory }): Promise<void> {
    this.failed({ result, accountId, memory, key, problem: `the POP3 server dropped the connection while sending this message (${session.client.failure?.message ?? 'closed'})` });
    await session.reconnect();
  }

  /**
   * A group stored as one batch (MessageIngestService.ingestMany): a few round trips for the group
   * instead of several per message. @returns the keys stored; throws the first storage failure.
   */
  private async storeGroup({ accountId, retrieved, tally }: { accountId: AccountId; retrieved: RetrievedMessage[]; tally: StoredTally }): Promise<string[]> {
    const outcomes = await this.ingest.ingestMany({ accountId, messages: retrieved.map(({ key, bytes, listSize }) => ({ source: pop3Source({ key, listSize }), bytes })), tally });
    const failure = outcomes.find((outcome): outcome is Error => outcome instanceof Error);
    if (failure) throw failure;
    return retrieved.map(({ key }) => key);
  }

  /** Rule 20: TOP 0 of the first and last new messages, to see which end of the listing is newest. */
  private async listsNewestFirst({ client, fresh }: { client: Pop3Client; fresh: Pop3KeyedMessage[] }): Promise<boolean> {
    try {
      const [first, last] = [fresh[0]!, fresh[fresh.length - 1]!];
      return listsNewestFirst({ first: dateHeader(await client.top({ number: first.number, lines: 0 })), last: dateHeader(await client.top({ number: last.number, lines: 0 })) });
    } catch (error) {
      // A server without TOP (or that cannot read one of the two) gets the default order.
      if (error instanceof Pop3ResponseError && error.refusedByServer) return false;
      throw error;
    }
  }

  /** A message this run could not fetch: skipped, and one more attempt in the account's memory. */
  private failed({ result, accountId, memory, key, problem }: { result: RunResult; accountId: string; memory: Pop3FailureMemory; key: string; problem: string }): void {
    this.skipped({ result, accountId, key, message: memory.failed({ key, problem }) });
  }

  private skipped({ result, accountId, key, message }: { result: RunResult; accountId: string; key: string; message: string }): void {
    result.messageErrors.push({ folder: FOLDER, key, message });
    this.logger.warn({ msg: 'POP3 message skipped; the others go on', accountId, uidl: key, err: message });
  }
}

interface FetchContext {
  session: Pop3RunSession;
  accountId: AccountId;
  result: RunResult;
  signal: AbortSignal;
  memory: Pop3FailureMemory;
}

const optionalListSize = (listSize: number | undefined): { listSize?: number } => (listSize === undefined ? {} : { listSize });

interface RetrievedMessage {
  key: string;
  bytes: Buffer;
  /** What LIST said in the session that retrieved it (the session may be replaced before the store). */
  listSize?: number;
}

/** What a POP3 message is stored as: its key, and its LIST size (see rekeyReusedUidls). */
function pop3Source({ key, listSize }: { key: string; listSize: number | undefined }): IngestSource {
  return { protocol: 'pop3', uidl: key, ...(listSize !== undefined ? { listSize } : {}) };
}
