import { Controller, Injectable, Module, type BeforeApplicationShutdown, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectEventually, startNats, type RunningNats } from '@mailbus/testing';
import { DrainingNatsServer } from '../src/rpc/draining-nats.server';
import { withRpcDrainOnShutdown } from '../src/rpc/rpc-drain-on-shutdown';

const QUEUE = 'mailbus-drain-test';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** What one replica's handlers wait for; a fresh set per replica. */
interface Replica {
  name: string;
  slowStarted: Deferred;
  releaseSlow: Deferred;
  shutdownHookEntered: Deferred;
  releaseShutdownHook: Deferred;
}
const REPLICA = Symbol('replica');

function replicaModule(replica: Replica) {
  @Controller()
  class TestRpcController {
    @MessagePattern('test.slow')
    async slow(): Promise<string> {
      replica.slowStarted.resolve();
      await replica.releaseSlow.promise;
      return `slow answered by ${replica.name}`;
    }

    @MessagePattern('test.who')
    who(): string {
      return replica.name;
    }
  }

  /** Stands in for the JetStream consumers, which finish their in-flight events in this hook. */
  @Injectable()
  class SlowShutdownHook implements BeforeApplicationShutdown {
    async beforeApplicationShutdown(): Promise<void> {
      replica.shutdownHookEntered.resolve();
      await replica.releaseShutdownHook.promise;
    }
  }

  @Module({ controllers: [TestRpcController], providers: [SlowShutdownHook, { provide: REPLICA, useValue: replica }] })
  class ReplicaModule {}
  return ReplicaModule;
}

let dir: string;
let nats: RunningNats;
let client: ClientProxy;
const apps = new Set<INestApplication>();

/** One replica wired as bootstrapService wires it: the draining server, and the drain started at the first shutdown hook. */
async function startReplica({ name, graceMs, holdShutdownHook = false }: { name: string; graceMs: number; holdShutdownHook?: boolean }): Promise<{ app: INestApplication; server: DrainingNatsServer; replica: Replica }> {
  const replica: Replica = { name, slowStarted: deferred(), releaseSlow: deferred(), shutdownHookEntered: deferred(), releaseShutdownHook: deferred() };
  if (!holdShutdownHook) replica.releaseShutdownHook.resolve();
  const server = new DrainingNatsServer({ options: { servers: [nats.url], queue: QUEUE }, graceMs });
  const app = await NestFactory.create(withRpcDrainOnShutdown({ module: { module: replicaModule(replica) }, server }), { logger: false });
  app.connectMicroservice({ strategy: server });
  await app.startAllMicroservices();
  await app.init();
  apps.add(app);
  return { app, server, replica };
}

async function close(app: INestApplication): Promise<void> {
  apps.delete(app);
  await app.close();
}

const ask = (pattern: string, timeoutMs = 10_000): Promise<string> => firstValueFrom(client.send<string>(pattern, {}).pipe(timeout(timeoutMs)));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-rpc-drain-'));
  nats = await startNats({ dir, log: () => undefined });
  client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [nats.url] } });
  await client.connect();
});

afterEach(async () => {
  await Promise.all([...apps].map((app) => close(app)));
});

afterAll(async () => {
  await client?.close();
  await nats?.process.stop();
  await rm(dir, { recursive: true, force: true });
});

describe(DrainingNatsServer.name, () => {
  it('should answer a request that is still running when the app closes, then close', async () => {
    const { app, server, replica } = await startReplica({ name: 'a', graceMs: 10_000 });
    const answer = ask('test.slow');
    await replica.slowStarted.promise;

    expect(server.inFlight).toBe(1);
    // The handler answers only once Nest is closing the server itself, after every shutdown hook.
    const serverClosing = deferred();
    const closeServer = server.close.bind(server);
    vi.spyOn(server, 'close').mockImplementation(() => {
      serverClosing.resolve();
      return closeServer();
    });
    const closing = close(app);
    await serverClosing.promise;
    replica.releaseSlow.resolve();

    // Nest's own ServerNats closes the connection at once, and this reply never arrives.
    expect(await answer).toBe('slow answered by a');
    await closing;
    expect(server.inFlight).toBe(0);
  });

  it('should close without waiting out the grace period when nothing is running', async () => {
    const { app } = await startReplica({ name: 'a', graceMs: 10_000 });
    expect(await ask('test.who')).toBe('a');

    const started = performance.now();
    await close(app);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('should give up on a request still running at the end of the grace period', async () => {
    const graceMs = 300;
    const { app, server, replica } = await startReplica({ name: 'a', graceMs });
    const answer = ask('test.slow', graceMs + 1_000).catch((error: unknown) => error);
    await replica.slowStarted.promise;

    const started = performance.now();
    await close(app);
    const closeMs = performance.now() - started;

    expect(closeMs).toBeGreaterThanOrEqual(graceMs - 10);
    expect(closeMs).toBeLessThan(graceMs + 2_000);
    expect(server.inFlight).toBe(1);
    replica.releaseSlow.resolve();
    expect(await answer).toBeInstanceOf(Error);
  });

  it('should leave new requests to the other replicas from the first shutdown hook on, while the other hooks still run', async () => {
    const { app, replica } = await startReplica({ name: 'a', graceMs: 10_000, holdShutdownHook: true });
    await startReplica({ name: 'b', graceMs: 10_000 });

    const closing = close(app);
    await replica.shutdownHookEntered.promise;
    // The consumers' hook of "a" still runs; "a" takes no request any more, "b" answers them all.
    await expectEventually(async () => expect(await Promise.all(Array.from({ length: 10 }, () => ask('test.who')))).toEqual(Array.from({ length: 10 }, () => 'b')));
    replica.releaseShutdownHook.resolve();
    await closing;
  });
});
