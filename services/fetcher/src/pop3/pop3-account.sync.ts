import { Injectable, Logger } from '@nestjs/common';
import { Pop3Client, Pop3ResponseError, loginDelay } from '@mailbus/mail-clients';
import { FetchedMessageRepository } from '../ingest/fetched-message.repository';
import { MessageIngestService } from '../ingest/message-ingest.service';
import type { RunInput, RunResult, StoredTally } from '../runs/fetch-account';
import type { Pop3KeyedMessage } from './pop3-content-key.util';
import { Pop3DeletionRequests } from './pop3-deletion-requests';
import { messagesToDelete } from './pop3-deletions.util';
import { dateHeader, listsNewestFirst, needsOrderDetection, pickBatch } from './pop3-fetch-order.util';
import { listPop3Messages } from './list-pop3-messages';
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
 * skipped and reported in messageErrors; it has no record, so the next run tries it again (rule 12).
 * Anything else (timeouts, resets, MongoDB, NATS) fails the run.
 */
@Injectable()
export class Pop3AccountSync {
  private readonly logger = new Logger(Pop3AccountSync.name);

  constructor(
    private readonly ingest: MessageIngestService,
    private readonly records: FetchedMessageRepository,
    private readonly deletionRequests: Pop3DeletionRequests,
  ) {}

  async run({ account, budget, timeoutMs, signal, tally }: RunInput): Promise<RunResult> {
    const { server, receive } = account;
    // The signal closes the connection at once, also mid-RETR: shutdown is never held up by a slow
    // server or a large message. See the abort handling below for why that loses nothing.
    const result: RunResult = { fetched: 0, more: false, folderErrors: [], messageErrors: [] };
    const client = await Pop3Client.connect({ host: server.host, port: server.port, security: server.security, timeoutMs, signal }).catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
    if (!client) return { ...result, more: true };
    try {
      const announced = loginDelay(await client.capabilities());
      await client.login({ username: server.username, password: server.password });
      // RFC 2449 §6.5: the delay runs from the +OK to the login; `USER` means the listing after login has this user's value.
      const loggedInAt = Date.now();
      const delay = announced?.perUser ? (loginDelay(await client.capabilities()) ?? announced) : announced;
      if (delay && delay.seconds > 0) result.notBefore = new Date(loggedInAt + delay.seconds * 1000);

      const listing = await listPop3Messages(client);
      for (const { number, message } of listing.unkeyed) this.skipped({ result, accountId: account.id, key: `message ${number}`, message });
      const stored = await this.records.storedUidls({ accountId: account.id, uidls: listing.messages.map(({ key }) => key) });
      const fresh = listing.messages.filter(({ key }) => !stored.has(key));
      const newestFirst = needsOrderDetection({ fresh: fresh.length, budget }) && (await this.listsNewestFirst({ client, fresh }));
      const batch = pickBatch({ fresh, budget, newestFirst });
      result.more = fresh.length > batch.length;

      const fetchedNow = new Set<string>();
      const sizes = batch.length > 1 ? new Map((await client.list()).map(({ number, size }) => [number, size])) : new Map<number, number>();
      const groups = groupForFetch(batch.map((message) => ({ ...message, uid: message.number, size: sizes.get(message.number) ?? Number.MAX_SAFE_INTEGER })));
      let retrieving: Promise<RetrievedMessage[]> | undefined;
      // The previous group's store, still running: two groups are stored at a time, so that the
      // store writes one while this process compresses and encodes the next (each would otherwise
      // wait for the other). Nothing depends on their order: DELE comes after both.
      let storing: Promise<string[]> | undefined;
      const counted = (keys: string[]): void => {
        for (const key of keys) fetchedNow.add(key);
        result.fetched += keys.length;
      };
      try {
        for (const [n, group] of groups.entries()) {
          // Shutdown between groups: stop here. The abort has closed the connection already (no
          // QUIT), so DELEs sent in this session are not committed; see below.
          if (signal.aborted) return { ...result, more: true };
          if (isStreamedGroup(group)) {
            const previous = storing;
            storing = undefined;
            if (previous) counted(await previous);
            counted(await this.storeStreamed({ client, accountId: account.id, message: group[0]!, result, tally }));
            continue;
          }
          const retrieved = await (retrieving ?? this.retrieveGroup({ client, accountId: account.id, group, result }));
          // Pipelined: the next group's RETRs run while this group is stored. Not before a streamed
          // message, whose store reads from the connection.
          const following = groups[n + 1];
          retrieving = following && !isStreamedGroup(following) ? settledLater(this.retrieveGroup({ client, accountId: account.id, group: following, result })) : undefined;
          const previous = storing;
          storing = settledLater(this.storeGroup({ accountId: account.id, retrieved, tally }));
          if (previous) counted(await previous);
        }
        if (storing) counted(await storing);
      } finally {
        // Leaving early (an error, a shutdown): the other store finishes before the run ends, so a
        // run never overlaps its successor's writes of the same messages.
        await storing?.catch(() => undefined);
      }

      // A content-keyed listing with a message that could not be keyed may have shifted the
      // occurrence suffixes of identical copies: delete nothing until every message has its key.
      const keyable = !(listing.keyedBy === 'content' && listing.unkeyed.length > 0);
      // Read also without leaveOnServer: requests made before it was switched off are done by this run's deletions.
      const requested = keyable ? await this.deletionRequests.forAccount(account.id) : new Map<string, string>();
      const deletable = keyable ? messagesToDelete({ messages: listing.messages, stored, fetchedNow, leaveOnServer: receive.leaveOnServer, deleteAfterDays: receive.deleteAfterDays, now: Date.now(), requested: new Set(requested.keys()) }) : [];
      await client.deleMany(deletable);
      await client.quit();
      // Committed: a request is done when its message was deleted now or is gone already (another
      // client, an earlier run that died before this point); one held back (an identical copy not yet
      // stored) waits for a later run.
      const deleted = new Set(deletable);
      const left = new Set(listing.messages.filter(({ number }) => !deleted.has(number)).map(({ key }) => key));
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
      client.close();
    }
  }

  /** A large message streamed from RETR into the store. @returns its key, or none when the server refused it */
  private async storeStreamed({ client, accountId, message, result, tally }: { client: Pop3Client; accountId: AccountId; message: Pop3KeyedMessage; result: RunResult; tally: StoredTally }): Promise<string[]> {
    try {
      await this.ingest.ingest({ accountId, source: { protocol: 'pop3', uidl: message.key }, raw: client.retr(message.number), tally });
      return [message.key];
    } catch (error) {
      if (!(error instanceof Pop3ResponseError && error.refusedByServer)) throw error;
      this.skipped({ result, accountId, key: message.key, message: error.message });
      return [];
    }
  }

  /**
   * Small messages read into memory (a group is at most 8 MB), their RETRs pipelined where the server
   * allows it: one round trip per group, not per message. One the server refuses is noted and left out.
   */
  private async retrieveGroup({ client, accountId, group, result }: { client: Pop3Client; accountId: AccountId; group: Pop3KeyedMessage[]; result: RunResult }): Promise<RetrievedMessage[]> {
    const answers = await client.retrMany(group.map(({ number }) => number));
    const retrieved: RetrievedMessage[] = [];
    for (const [index, { key }] of group.entries()) {
      const answer = answers[index]!;
      if (answer instanceof Pop3ResponseError) this.skipped({ result, accountId, key, message: answer.message });
      else retrieved.push({ key, bytes: answer });
    }
    return retrieved;
  }

  /**
   * A group stored as one batch (MessageIngestService.ingestMany): a few round trips for the group
   * instead of several per message. @returns the keys stored; throws the first storage failure.
   */
  private async storeGroup({ accountId, retrieved, tally }: { accountId: AccountId; retrieved: RetrievedMessage[]; tally: StoredTally }): Promise<string[]> {
    const outcomes = await this.ingest.ingestMany({ accountId, messages: retrieved.map(({ key, bytes }) => ({ source: { protocol: 'pop3', uidl: key }, bytes })), tally });
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

  private skipped({ result, accountId, key, message }: { result: RunResult; accountId: string; key: string; message: string }): void {
    result.messageErrors.push({ folder: FOLDER, key, message });
    this.logger.warn({ msg: 'POP3 message skipped; the others go on and it is tried again next run', accountId, uidl: key, err: message });
  }
}

interface RetrievedMessage {
  key: string;
  bytes: Buffer;
}
