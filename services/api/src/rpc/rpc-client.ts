import type { OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { TimeoutError, firstValueFrom, timeout } from 'rxjs';
import { isRpcErrorBody } from '@mailbus/contracts';
import { unavailableText } from '@mailbus/service-runtime';
import { RequestTooLargeError } from '../errors/request-too-large.error';
import { RpcCallError } from '../errors/rpc-call.error';
import { ServiceUnavailableError } from '../errors/service-unavailable.error';

/**
 * Request/reply with a deadline. A service that answers with an RpcErrorBody rejected the request
 * (400/404/409/422/502); one that does not answer in time, or has no responder, is down (503). A
 * request larger than one NATS message may carry is the client's error (413): retrying could never help.
 */
export class RpcClient implements OnApplicationShutdown {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs: number,
  ) {}

  /** @param timeoutMs for calls that wait on a mail server (connection tests), longer than the default */
  async request<Result>({ subject, payload = {}, timeoutMs = this.timeoutMs }: { subject: string; payload?: unknown; timeoutMs?: number }): Promise<Result> {
    try {
      return await firstValueFrom(this.proxy.send<Result>(subject, payload).pipe(timeout(timeoutMs)));
    } catch (error) {
      if (isMaxPayloadExceeded(error)) throw new RequestTooLargeError(`request too large: it does not fit one message to the service (${subject}); send less`, { cause: error });
      if (isRpcErrorBody(error)) throw new RpcCallError(error);
      if (isServerCrash(error)) throw new RpcCallError({ code: 'internal', message: `${subject} failed inside the service; see its log` });
      // Nest's NATS client rejects with a plain string while its own connection is down.
      if (typeof error === 'string') throw new ServiceUnavailableError(`${unavailableText('message bus')} (${subject}: ${error})`, { cause: error });
      throw new ServiceUnavailableError(`no answer on ${subject}: ${whyNoAnswer(error, timeoutMs)}`, { cause: error });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}

/** What the nats client throws, before sending anything, for a message over the server's max_payload. */
const isMaxPayloadExceeded = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'MAX_PAYLOAD_EXCEEDED';

/** Nest's answer when a handler threw something other than an RpcException. */
const isServerCrash = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 'error';

function whyNoAnswer(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeoutError) return `none within ${timeoutMs} ms`;
  return error instanceof Error ? error.message : String(error);
}
