import type { ClientProxy } from '@nestjs/microservices';
import { NEVER, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RequestTooLargeError } from '../errors/request-too-large.error';
import { RpcCallError } from '../errors/rpc-call.error';
import { ServiceUnavailableError } from '../errors/service-unavailable.error';
import { RpcClient } from './rpc-client';

/** A ClientProxy whose every request ends as `answer` does. */
const clientAnswering = (answer: () => Observable<never>, timeoutMs = 50): RpcClient => new RpcClient({ send: answer } as unknown as ClientProxy, timeoutMs);
const failingWith = (error: unknown) => () => throwError(() => error);

describe(RpcClient.name, () => {
  it("should pass the service's refusal on with its code", async () => {
    const request = clientAnswering(failingWith({ code: 'not_found', message: 'user u1 not found' })).request({ subject: 'mailbus.rpc.account-registry.users.get' });

    await expect(request).rejects.toEqual(new RpcCallError({ code: 'not_found', message: 'user u1 not found' }));
  });

  it("should say the message bus is unavailable while its NATS connection is down (Nest's client rejects with a string then)", async () => {
    const request = clientAnswering(failingWith('Connection lost. Trying to reconnect...')).request({ subject: 'mailbus.rpc.smtp-sender.outbox.create' });

    await expect(request).rejects.toThrow(new ServiceUnavailableError("mailbus's message bus is unavailable; try again shortly (mailbus.rpc.smtp-sender.outbox.create: Connection lost. Trying to reconnect...)"));
  });

  it('should say how long it waited when the service does not answer', async () => {
    const request = clientAnswering(() => NEVER, 20).request({ subject: 'mailbus.rpc.fetcher.status.get' });

    await expect(request).rejects.toThrow(new ServiceUnavailableError('no answer on mailbus.rpc.fetcher.status.get: none within 20 ms'));
  });

  it("should answer request too large, never unavailable, when the request exceeds the server's max_payload", async () => {
    const natsError = Object.assign(new Error('MAX_PAYLOAD_EXCEEDED'), { name: 'NatsError', code: 'MAX_PAYLOAD_EXCEEDED' });
    const request = clientAnswering(failingWith(natsError)).request({ subject: 'mailbus.rpc.account-registry.accounts.update' });

    await expect(request).rejects.toThrow(new RequestTooLargeError('request too large: it does not fit one message to the service (mailbus.rpc.account-registry.accounts.update); send less'));
    await expect(request).rejects.toBeInstanceOf(RequestTooLargeError);
  });
});
