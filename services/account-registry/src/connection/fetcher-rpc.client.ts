import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { FetcherRpc } from '@mailbus/contracts';

export const FETCHER_RPC_PROXY = Symbol('FETCHER_RPC_PROXY');
const RE_ENABLE_TIMEOUT_MS = 5_000;

/**
 * The registry's one call to the fetcher: a connection test of an account's saved receive settings
 * passed, so an account the fetcher disabled for auth failures may run again (rule 32). At most
 * once over core NATS: if it is lost, the next update of the account enables it too.
 */
@Injectable()
export class FetcherRpcClient implements OnApplicationShutdown {
  private readonly logger = new Logger(FetcherRpcClient.name);

  constructor(@Inject(FETCHER_RPC_PROXY) private readonly proxy: ClientProxy) {}

  /** Does not wait for the fetcher and never fails: the admin's test result does not depend on it. */
  reEnableAfterConnectionTest(accountId: string): void {
    firstValueFrom(this.proxy.send(FetcherRpc.reEnable, { accountId }).pipe(timeout(RE_ENABLE_TIMEOUT_MS))).catch((error: Error) =>
      this.logger.warn({ msg: 'the fetcher was not told that the connection test passed; an update of the account enables it too', accountId, err: error.message }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}
