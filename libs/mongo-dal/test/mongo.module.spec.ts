import { afterEach, describe, expect, it } from 'vitest';
import { Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Db } from 'mongodb';
import { expectEventually, freePort, startFerretDb } from '@mailbus/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MONGO_DB, MongoConnectError, MongoHealthIndicator, MongoModule } from '../src';
import { startTcpProxy } from './fixtures/tcp-proxy.util';

const DB_NAME = 'mongo_dal_mongo_module';

/** Keeps what the module logs, to see its failed attempts. */
class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

function appModule({ url, maxAttempts = 100 }: { url: string; maxAttempts?: number }): new () => unknown {
  @Module({
    imports: [
      MongoModule.forRootAsync({
        useFactory: () => ({ url, dbName: DB_NAME, appName: 'mongo-dal-test', serverSelectionTimeoutMs: 300, connectRetry: { maxAttempts, initialDelayMs: 50, maxDelayMs: 200 } }),
      }),
    ],
  })
  class AppModule {}
  return AppModule;
}

describe(MongoModule.name, () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('should come up when the server starts listening only after module init began', async () => {
    const port = await freePort();
    const logger = new RecordingLogger();

    const starting = NestFactory.createApplicationContext(appModule({ url: `mongodb://127.0.0.1:${port}/` }), { logger, abortOnError: false });
    const target = await mongoTarget(cleanups);
    await expectEventually(() => expect(logger.warnings.length).toBeGreaterThan(0));
    const proxy = await startTcpProxy({ port, target });
    cleanups.push(() => proxy.stop());
    const sut = await starting;
    cleanups.push(() => sut.close());

    expect(logger.warnings[0]).toMatch(new RegExp(`^MongoDB connection attempt 1/100 to mongodb://127\\.0\\.0\\.1:${port}/ failed: .+; retrying in \\d+ ms$`));
    await sut.get<Db>(MONGO_DB).collection('probe').insertOne({ ok: true });
    expect(await sut.get(MongoHealthIndicator).check()).toEqual({ ok: true });
    expect(proxy.openConnections).toBeGreaterThan(0);
  });

  it('should close its connections when the application shuts down', async () => {
    const port = await freePort();
    const proxy = await startTcpProxy({ port, target: await mongoTarget(cleanups) });
    cleanups.push(() => proxy.stop());
    const sut = await NestFactory.createApplicationContext(appModule({ url: `mongodb://127.0.0.1:${port}/` }), { logger: false, abortOnError: false });
    await sut.get<Db>(MONGO_DB).collection('probe').insertOne({ ok: true });
    expect(proxy.openConnections).toBeGreaterThan(0);

    await sut.close();

    await expectEventually(() => expect(proxy.openConnections).toBe(0));
  });

  it('should report not ok from the health check when the server stops answering', async () => {
    const port = await freePort();
    const proxy = await startTcpProxy({ port, target: await mongoTarget(cleanups) });
    const app = await NestFactory.createApplicationContext(appModule({ url: `mongodb://127.0.0.1:${port}/` }), { logger: false, abortOnError: false });
    cleanups.push(() => app.close());
    const sut = app.get(MongoHealthIndicator);
    expect(await sut.check()).toEqual({ ok: true });

    await proxy.stop();

    expect(await sut.check({ timeoutMs: 1000 })).toEqual({ ok: false, details: expect.any(String) });
  });

  it('should fail start without revealing the password when the server never answers', async () => {
    const port = await freePort();
    const logger = new RecordingLogger();
    const password = 'never-logged-secret';

    const error = await NestFactory.createApplicationContext(appModule({ url: `mongodb://mailbus:${password}@127.0.0.1:${port}/`, maxAttempts: 3 }), { logger, abortOnError: false }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(MongoConnectError);
    expect((error as Error).message).toContain(`could not connect to MongoDB at mongodb://mailbus:***@127.0.0.1:${port}/ after 3 attempts`);
    expect(logger.warnings).toHaveLength(2);
    expect([...logger.warnings, (error as Error).message].join('\n')).not.toContain(password);
  });
});

/** MONGODB_URL's server, or a FerretDB started now, after module init began. */
async function mongoTarget(cleanups: Array<() => Promise<void>>): Promise<{ host: string; port: number }> {
  const external = process.env.MONGODB_URL;
  if (external) {
    const { hostname, port } = new URL(external);
    return { host: hostname, port: Number(port || 27017) };
  }
  const dir = await mkdtemp(join(tmpdir(), 'mongo-dal-module-'));
  const ferret = await startFerretDb({ dir, log: () => undefined });
  cleanups.push(async () => {
    await ferret.process.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { host: '127.0.0.1', port: ferret.port };
}
