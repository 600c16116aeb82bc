import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IndexProvisioner, IndexProvisioningError, MongoModule, accountId } from '../src';
import { NoteRepository } from './fixtures/note.repository';
import { startTestMongo, type TestMongo } from './fixtures/test-mongo.util';

const DB_NAME = 'mongo_dal_index_provisioner';

describe(IndexProvisioner.name, () => {
  let mongo: TestMongo;
  const apps: INestApplicationContext[] = [];

  const startApp = async (): Promise<INestApplicationContext> => {
    @Module({ imports: [MongoModule.forRootAsync({ useFactory: () => ({ url: mongo.url, dbName: DB_NAME }) }), MongoModule.forFeature([NoteRepository])] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    mongo = await startTestMongo({ dbName: DB_NAME });
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await mongo.db.dropDatabase();
  });

  afterAll(async () => {
    await mongo?.stop();
  });

  it('should create the declared unique index when the module starts', async () => {
    await startApp();

    const indexes = await mongo.db.collection('notes').listIndexes().toArray();
    expect(indexes).toContainEqual(expect.objectContaining({ name: 'account_key_unique', key: { accountId: 1, key: 1 }, unique: true }));
  });

  it('should answer inserted false when insertIfAbsent hits the unique index', async () => {
    const app = await startApp();
    const sut = app.get(NoteRepository);
    const account = accountId('acc-1');

    const first = await sut.insertIfAbsent({ _id: 'n1', accountId: account, key: 'k', body: 'first' });
    const second = await sut.insertIfAbsent({ _id: 'n2', accountId: account, key: 'k', body: 'second' });

    expect([first, second]).toEqual([{ inserted: true }, { inserted: false }]);
    expect(await sut.count({ accountId: account })).toBe(1);
  });

  it('should start again without error when the indexes already exist', async () => {
    await (await startApp()).close();

    await expect(startApp()).resolves.toBeDefined();
    await expect(new IndexProvisioner(mongo.db).provision(NoteRepository.indexes)).resolves.toBeUndefined();
  });

  it('should fail naming both definitions when an index of that name exists with other options', async () => {
    await mongo.db.collection('notes').createIndex({ accountId: 1, key: 1 }, { name: 'account_key_unique' });
    const sut = new IndexProvisioner(mongo.db);

    const error = await sut.provision(NoteRepository.indexes).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(IndexProvisioningError);
    expect((error as Error).message).toContain('index "account_key_unique" on notes exists as { key {"accountId":1,"key":1} } but is declared as { key {"accountId":1,"key":1}, unique }');
  });

  it('should refuse to register two different definitions under one name', () => {
    const sut = new IndexProvisioner(mongo.db);
    const [spec] = NoteRepository.indexes;

    expect(() => sut.register([spec!, { ...spec!, options: { name: spec!.options.name } }])).toThrow('declared twice with different definitions');
  });
});
