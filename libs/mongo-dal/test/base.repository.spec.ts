import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BaseRepository, IndexProvisioner, accountId } from '../src';
import { NoteRepository } from './fixtures/note.repository';
import { startTestMongo, type TestMongo } from './fixtures/test-mongo.util';

const alice = accountId('acc-alice');
const bob = accountId('acc-bob');

describe(BaseRepository.name, () => {
  let mongo: TestMongo;
  let sut: NoteRepository;

  beforeAll(async () => {
    mongo = await startTestMongo({ dbName: 'mongo_dal_base_repository' });
    await new IndexProvisioner(mongo.db).provision(NoteRepository.indexes);
    sut = new NoteRepository(mongo.db);
  });

  beforeEach(async () => {
    await mongo.db.collection('notes').deleteMany({});
    await sut.insertIfAbsent({ _id: 'a1', accountId: alice, key: 'shared', body: 'alice one' });
    await sut.insertIfAbsent({ _id: 'a2', accountId: alice, key: 'second', body: 'alice two' });
    await sut.insertIfAbsent({ _id: 'b1', accountId: bob, key: 'shared', body: 'bob one' });
  });

  afterAll(async () => {
    await mongo?.stop();
  });

  it('should not find the document of another account when queried by its id', async () => {
    expect(await sut.findOne({ accountId: alice, _id: 'b1' })).toBeNull();
    expect(await sut.findOne({ accountId: bob, _id: 'b1' })).toMatchObject({ body: 'bob one' });
  });

  it('should list only the account own documents, sorted and limited, when find is called', async () => {
    expect(await sut.find({ filter: { accountId: alice }, sort: { key: 1 }, limit: 5 })).toEqual([
      { _id: 'a2', accountId: alice, key: 'second', body: 'alice two' },
      { _id: 'a1', accountId: alice, key: 'shared', body: 'alice one' },
    ]);
    expect(await sut.find({ filter: { accountId: alice }, sort: { key: 1 }, limit: 1 })).toHaveLength(1);
  });

  it('should leave the other account untouched when updating, upserting, counting or deleting', async () => {
    expect(await sut.updateOne({ filter: { accountId: alice, _id: 'b1' }, update: { $set: { body: 'hijacked' } } })).toEqual({ matched: false, modified: false });
    expect(await sut.deleteOne({ accountId: alice, _id: 'b1' })).toBe(false);
    expect(await sut.count({ accountId: bob })).toBe(1);
    expect(await sut.findOne({ accountId: bob, _id: 'b1' })).toMatchObject({ body: 'bob one' });

    expect(await sut.upsert({ filter: { accountId: alice, _id: 'a3' }, update: { $set: { key: 'third', body: 'alice three' } } })).toEqual({ upserted: true });
    expect(await sut.upsert({ filter: { accountId: alice, _id: 'a3' }, update: { $set: { body: 'alice three, edited' } } })).toEqual({ upserted: false });
    expect(await sut.findOne({ accountId: alice, _id: 'a3' })).toEqual({ _id: 'a3', accountId: alice, key: 'third', body: 'alice three, edited' });
    expect(await sut.count({ accountId: alice })).toBe(3);
    expect(await sut.deleteOne({ accountId: alice, _id: 'a3' })).toBe(true);
  });

  it('should insert the new documents and skip the ones there already when many are inserted at once', async () => {
    const result = await sut.insertManyIfAbsent([
      { _id: 'a1', accountId: alice, key: 'shared', body: 'changed?' },
      { _id: 'a4', accountId: alice, key: 'fourth', body: 'alice four' },
      { _id: 'a5', accountId: alice, key: 'fifth', body: 'alice five' },
    ]);

    expect(result).toEqual({ inserted: 2 });
    expect(await sut.findOne({ accountId: alice, _id: 'a1' })).toMatchObject({ body: 'alice one' });
    expect(await sut.count({ accountId: alice })).toBe(4);
  });

  it('should reject the query when the tenant key is missing or not a plain account id', async () => {
    // @ts-expect-error a query without accountId does not compile
    await expect(sut.findOne({ _id: 'b1' })).rejects.toThrow('account-scoped query without an accountId');
    await expect(sut.count({ accountId: { $exists: true } } as never)).rejects.toThrow('account-scoped query without an accountId');
  });
});
