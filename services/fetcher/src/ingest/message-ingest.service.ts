import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Events, FolderRole, MailProtocol, fetchKey as buildFetchKey, timestampFromDate, type EventInit } from '@mailbus/contracts';
import { BlobStore, blobId, type AccountId, type BlobId, type BlobPutResult, type ByteSource } from '@mailbus/mongo-dal';
import type { FetchedMessageDocument } from './fetched-message.document';
import { EventPublisher } from '@mailbus/nats-transport';
import { FetcherMetrics } from '../runs/fetcher.metrics';
import type { StoredTally } from '../runs/fetch-account';
import { FetchedMessageRepository } from './fetched-message.repository';

export type IngestSource =
  | { protocol: 'imap'; folder: string; folderRole: FolderRole; uidValidity: number; uid: number; internalDate?: Date; flags?: string[]; messageIdHeader?: string; emailId?: string }
  | { protocol: 'pop3'; uidl: string; listSize?: number };

/**
 * Stores one message and announces it, in the order that makes a crash at any point harmless: raw
 * bytes under an id derived from the fetch key, then message.fetched with the fetch key as message
 * id, then the fetch record under the fetch key. A record therefore always has its event: the POP3
 * side trusts a record to mean "stored and announced" (it deletes on the server and never fetches
 * that UIDL again). A crash between the event and the record makes the next run repeat the message:
 * the blob is found, JetStream drops the second event as a duplicate of the first (its duplicate
 * window, 10 minutes, is far longer than the time until the next run) and the record is written. Only
 * after this may the caller move its checkpoint or delete on the server.
 */
@Injectable()
export class MessageIngestService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly records: FetchedMessageRepository,
    private readonly events: EventPublisher,
    private readonly metrics: FetcherMetrics,
  ) {}

  async ingest({ accountId, source, raw, tally }: { accountId: AccountId; source: IngestSource; raw: ByteSource; tally: StoredTally }): Promise<IngestResult> {
    const key = fetchKeyOf({ accountId, source });
    const id = rawBlobId(key);
    const stored = await this.blobs.put({ id, source: raw, metadata: { accountId, fetchKey: key } });
    const fetchedAt = new Date();
    await this.events.publish(Events.messageFetched, fetchedEvent({ accountId, source, key, stored, fetchedAt }), { msgId: key });
    const { inserted } = await this.records.insertIfAbsent(fetchRecord({ accountId, source, key, stored, fetchedAt }));
    this.count({ source, bytes: stored.length });
    if (inserted) tally.messages += 1;
    return { fetchKey: key, size: stored.length };
  }

  /**
   * ingest() for messages already in memory (a pipelined FETCH), in the same order of steps, but
   * each step for the whole batch at once: blobs in one write, events published concurrently,
   * records in one write. A record is still only written for a message whose event is in.
   * @returns one result per input, in order; an Error is that message's failure alone
   */
  async ingestMany({ accountId, messages, tally }: { accountId: AccountId; messages: Array<{ source: IngestSource; bytes: Buffer }>; tally: StoredTally }): Promise<Array<IngestResult | Error>> {
    const keys = messages.map(({ source }) => fetchKeyOf({ accountId, source }));
    const blobs = await this.blobs.putMany(messages.map(({ bytes }, index) => ({ id: rawBlobId(keys[index]!), bytes, metadata: { accountId, fetchKey: keys[index]! } })));
    const fetchedAt = new Date();
    const published = await Promise.all(
      messages.map(async ({ source }, index): Promise<BlobPutResult | Error> => {
        const stored = blobs[index]!;
        if (stored instanceof Error) return stored;
        const key = keys[index]!;
        return this.events.publish(Events.messageFetched, fetchedEvent({ accountId, source, key, stored, fetchedAt }), { msgId: key }).then(
          () => stored,
          (error: Error) => error,
        );
      }),
    );
    const { inserted } = await this.records.insertManyIfAbsent(
      messages.flatMap(({ source }, index) => {
        const stored = published[index]!;
        return stored instanceof Error ? [] : [fetchRecord({ accountId, source, key: keys[index]!, stored, fetchedAt })];
      }),
    );
    tally.messages += inserted;
    return published.map((stored, index) => {
      if (stored instanceof Error) return stored;
      this.count({ source: messages[index]!.source, bytes: stored.length });
      return { fetchKey: keys[index]!, size: stored.length };
    });
  }

  /** Transfers, for the metrics; the run's tally counts only new records, so a message fetched again after an interruption adds nothing to fetchedTotal. */
  private count({ source, bytes }: { source: IngestSource; bytes: number }): void {
    this.metrics.messagesFetched.inc({ protocol: source.protocol });
    this.metrics.bytesFetched.inc({ protocol: source.protocol }, bytes);
  }
}

export interface IngestResult {
  fetchKey: string;
  size: number;
}

function fetchKeyOf({ accountId, source }: { accountId: AccountId; source: IngestSource }): string {
  return source.protocol === 'imap'
    ? buildFetchKey({ accountId, protocol: MailProtocol.IMAP, folder: source.folder, uidValidity: source.uidValidity, uid: source.uid })
    : buildFetchKey({ accountId, protocol: MailProtocol.POP3, uidl: source.uidl });
}

const rawBlobId = (key: string): BlobId => blobId(`raw-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`);

type Stored = Pick<BlobPutResult, 'length' | 'sha256' | 'id'>;

function fetchedEvent({ accountId, source, key, stored, fetchedAt }: { accountId: AccountId; source: IngestSource; key: string; stored: Stored; fetchedAt: Date }): EventInit<typeof Events.messageFetched> {
  return {
    fetchKey: key,
    accountId,
    protocol: source.protocol === 'imap' ? MailProtocol.IMAP : MailProtocol.POP3,
    folder: source.protocol === 'imap' ? source.folder : 'INBOX',
    folderRole: source.protocol === 'imap' ? source.folderRole : FolderRole.INBOX,
    uidValidity: source.protocol === 'imap' ? source.uidValidity : 0,
    uid: source.protocol === 'imap' ? source.uid : 0,
    uidl: source.protocol === 'pop3' ? source.uidl : '',
    blobId: stored.id,
    size: stored.length,
    sha256: stored.sha256,
    ...(source.protocol === 'imap' && source.internalDate ? { internalDate: timestampFromDate(source.internalDate) } : {}),
    fetchedAt: timestampFromDate(fetchedAt),
    messageIdHeader: source.protocol === 'imap' ? (source.messageIdHeader ?? '') : '',
    flags: source.protocol === 'imap' ? (source.flags ?? []) : [],
  };
}

function fetchRecord({ accountId, source, key, stored, fetchedAt }: { accountId: AccountId; source: IngestSource; key: string; stored: Stored; fetchedAt: Date }): FetchedMessageDocument {
  return {
    _id: key,
    accountId,
    protocol: source.protocol,
    folder: source.protocol === 'imap' ? source.folder : 'INBOX',
    ...(source.protocol === 'imap'
      ? { uidValidity: source.uidValidity, uid: source.uid, ...(source.internalDate ? { internalDate: source.internalDate } : {}), ...(source.messageIdHeader ? { messageIdHeader: source.messageIdHeader } : {}), ...(source.emailId ? { emailId: source.emailId } : {}) }
      : { uidl: source.uidl, ...(source.listSize !== undefined ? { listSize: source.listSize } : {}) }),
    blobId: stored.id,
    size: stored.length,
    sha256: stored.sha256,
    fetchedAt,
  };
}
