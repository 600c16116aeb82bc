import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { dependencyUnavailableMessage } from '../dependencies/dependency-outage.util';
import { RpcDomainError } from './rpc-domain.error';

/**
 * On request/reply controllers: a handler that failed because the store or NATS did answers
 * `unavailable` (the api's 503 with Retry-After: the request was fine, and asking again once they are
 * back works) instead of Nest's anonymous "Internal server error" (the api's 500). The caller is told
 * which dependency, not its error text; this service's log has that. Everything else goes on to Nest.
 * @example @UseFilters(RpcDependencyFailureFilter) @Controller() export class OutboxRpcController {}
 */
@Catch()
export class RpcDependencyFailureFilter extends BaseRpcExceptionFilter {
  private readonly logger = new Logger(RpcDependencyFailureFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    const unavailable = dependencyUnavailableMessage(exception);
    if (!unavailable) return super.catch(exception, host);
    this.logger.warn({ msg: `request failed: ${unavailable}`, pattern: host.switchToRpc().getContext<{ getSubject?: () => string }>()?.getSubject?.(), err: (exception as Error).message });
    return super.catch(RpcDomainError.unavailable(unavailable), host);
  }
}
