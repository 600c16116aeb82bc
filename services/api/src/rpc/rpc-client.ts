import type { OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { ServiceUnavailableError } from '../errors/service-unavailable.error';

/** Request/reply with a deadline: a service that does not answer becomes a 503, never a hang. */
export class RpcClient implements OnApplicationShutdown {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs: number,
  ) {}

  async request<Result>({ subject, payload = {} }: { subject: string; payload?: unknown }): Promise<Result> {
    try {
      return await firstValueFrom(this.proxy.send<Result>(subject, payload).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      throw new ServiceUnavailableError(`no answer on ${subject}: ${(error as Error).message}`, { cause: error });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}
