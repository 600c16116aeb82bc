import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountId } from '@mailbus/mongo-dal';
import { startStack, type Stack } from '@mailbus/testing';
import type { AccountSyncStateDocument } from '../src/sync-status/sync-state.documents';
import { AccountSyncStateRepository } from '../src/sync-status/sync-state.repositories';

/** The scheduler's queries against the store (FerretDB here, MongoDB in production). */
let stack: Stack;
let mongo: MongoClient;
let states: AccountSyncStateRepository;

beforeAll(async () => {
  stack = await startStack();
  mongo = await new MongoClient(stack.mongoUrl).connect();
  states = new AccountSyncStateRepository(mongo.db('account_sync_state_test'));
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

const backlog = (id: string, extra: Partial<AccountSyncStateDocument>): AccountSyncStateDocument => ({
  _id: id,
  accountId: accountId(id),
  state: 'idle',
  consecutiveFailures: 0,
  lastRun: { fetched: 500, skippedMessages: 0, failedFolders: 0, more: true },
  ...extra,
});

describe('AccountSyncStateRepository.backlogsDueBy', () => {
  it("should not offer a backlog for an early start while its POP3 server's LOGIN-DELAY runs", async () => {
    const now = new Date();
    const soon = new Date(now.getTime() + 500);
    await states.insertManyIfAbsent([
      backlog('plain', { nextRunAt: soon }),
      backlog('delay-over', { nextRunAt: soon, loginNotBefore: new Date(now.getTime() - 1_000) }),
      backlog('delay-runs', { nextRunAt: soon, loginNotBefore: soon }),
    ]);
    const offered = await states.backlogsDueBy({ by: new Date(now.getTime() + 1_000), limit: 10, now });
    expect(offered.map(({ _id }) => _id).sort()).toEqual(['delay-over', 'plain']);
    // Once the delay is over it is offered like any other.
    const later = await states.backlogsDueBy({ by: new Date(soon.getTime() + 1_000), limit: 10, now: soon });
    expect(later.map(({ _id }) => _id).sort()).toEqual(['delay-over', 'delay-runs', 'plain']);
  });
});
