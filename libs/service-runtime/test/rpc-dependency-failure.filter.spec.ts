import { Controller, Module, UseFilters, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { TimeoutError } from '@nats-io/nats-core';
import { MongoNetworkError } from 'mongodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type RunningNats } from '@mailbus/testing';
import { RpcDependencyFailureFilter } from '../src/rpc/rpc-dependency-failure.filter';
import { RpcDomainError } from '../src/rpc/rpc-domain.error';

@UseFilters(RpcDependencyFailureFilter)
@Controller()
class FailingController {
  @MessagePattern('test.store')
  store(): never {
    throw new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017');
  }

  @MessagePattern('test.bus')
  bus(): never {
    throw new TimeoutError();
  }

  @MessagePattern('test.domain')
  domain(): never {
    throw RpcDomainError.notFound('user u1 not found');
  }

  @MessagePattern('test.bug')
  bug(): never {
    throw new TypeError('cannot read properties of undefined');
  }
}

@Module({ controllers: [FailingController] })
class FailingModule {}

let dir: string;
let nats: RunningNats;
let service: INestMicroservice;
let client: ClientProxy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-rpc-filter-'));
  nats = await startNats({ dir, log: () => undefined });
  service = await NestFactory.createMicroservice(FailingModule, { transport: Transport.NATS, options: { servers: [nats.url] }, logger: false });
  await service.listen();
  client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [nats.url] } });
});

afterAll(async () => {
  await client?.close();
  await service?.close();
  await nats?.process.stop();
  await rm(dir, { recursive: true, force: true });
});

const answer = (pattern: string): Promise<unknown> => firstValueFrom(client.send(pattern, {})).then(
  () => 'no error',
  (error: unknown) => error,
);

describe(RpcDependencyFailureFilter.name, () => {
  it('should answer unavailable, naming the dependency but not its error, when the store or NATS failed the handler', async () => {
    expect(await answer('test.store')).toEqual({ code: 'unavailable', message: "mailbus's database is unavailable; try again shortly" });
    expect(await answer('test.bus')).toEqual({ code: 'unavailable', message: "mailbus's message bus is unavailable; try again shortly" });
  });

  it("should leave a domain answer and any other failure to Nest's handling", async () => {
    expect(await answer('test.domain')).toEqual({ code: 'not_found', message: 'user u1 not found' });
    expect(await answer('test.bug')).toMatchObject({ status: 'error', message: 'Internal server error' });
  });
});
