import { ImapFlow } from 'imapflow';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderRole } from '@mailbus/contracts';
import { imapFlowOptions } from '@mailbus/mail-clients';
import { accountId } from '@mailbus/mongo-dal';
import { DEFAULT_MAIL_PASSWORD, seedMaildir, startStack, type Stack } from '@mailbus/testing';
import { FetchedMessageRepository } from '../src/ingest/fetched-message.repository';
import type { IngestResult, IngestSource, MessageIngestService } from '../src/ingest/message-ingest.service';
import { ImapFolderSync } from '../src/imap/imap-folder.sync';
import { FolderCheckpointRepository } from '../src/sync-status/sync-state.repositories';
import { checkpointId } from '../src/sync-status/sync-state.documents';

/**
 * ImapFolderSync against Dovecot and the store, with the ingest step replaced by one that can fail a
 * chosen batch: two groups are stored at a time, and the cursor must never move past a group whose
 * store failed, even when the group after it was stored first.
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

async function syncOnce(ingest: BatchIngest): Promise<void> {
  const client = new ImapFlow({ ...imapFlowOptions({ host: stack.dovecot!.host, port: stack.dovecot!.imapPort, protocol: 'imap', security: 'none', username: USERNAME, password: DEFAULT_MAIL_PASSWORD }), logger: false });
  await client.connect();
  try {
    const sync = new ImapFolderSync(
      { client, ingest: ingest as unknown as MessageIngestService, records: new FetchedMessageRepository(db), checkpoints: new FolderCheckpointRepository(db) },
      { accountId: ACCOUNT, path: 'INBOX', role: FolderRole.INBOX, dedupeAcrossFolders: false },
    );
    await sync.run({ budget: 1_000, signal: new AbortController().signal, tally: { messages: 0 } });
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const lastUid = async (): Promise<number | undefined> => (await db.collection<{ _id: string; lastUid: number }>('folder_checkpoints').findOne({ _id: checkpointId({ accountId: ACCOUNT, path: 'INBOX' }) }))?.lastUid;

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

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
