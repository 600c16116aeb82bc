import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import type { FieldError, RpcErrorCode } from '@mailbus/contracts';
import { dependencyUnavailableMessage } from '@mailbus/service-runtime';
import { RequestTooLargeError } from './request-too-large.error';
import { RequestValidationError } from './request-validation.error';
import { RpcCallError } from './rpc-call.error';
import { ServiceUnavailableError } from './service-unavailable.error';

const codeByStatus: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  502: 'upstream_failed',
  503: 'service_unavailable',
};

const statusByRpcCode: Record<RpcErrorCode, number> = {
  validation_failed: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  upstream_failed: HttpStatus.BAD_GATEWAY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

interface Described {
  status: number;
  message: string;
  fields?: FieldError[];
}

/** Every error leaves the api as `{ "error": { "code", "message", "fields"? } }` (SPEC §4). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // The api also answers its own NATS status request; errors there go back to the RPC layer as they are.
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message, fields } = this.describe(exception);
    // A service's own "not now" (a mail server's slots taken, a mail being routed) is no error of the api.
    const passing = exception instanceof RpcCallError && exception.body.code === 'unavailable';
    if (status >= 500 && status !== HttpStatus.BAD_GATEWAY && !passing) this.logger.error({ msg: message, err: exception });
    // Every 503 is passing: that "not now", or a service that is restarting.
    if (status === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', '1');
    response.status(status).json({ error: { code: codeByStatus[status] ?? (status >= 500 ? 'internal' : 'error'), message, ...(fields ? { fields } : {}) } });
  }

  private describe(exception: unknown): Described {
    if (exception instanceof RequestValidationError) return { status: HttpStatus.BAD_REQUEST, message: exception.message, fields: exception.fields };
    if (exception instanceof RpcCallError) return { status: statusByRpcCode[exception.body.code], message: exception.body.message, ...(exception.body.fields ? { fields: exception.body.fields } : {}) };
    if (exception instanceof RequestTooLargeError) return { status: HttpStatus.PAYLOAD_TOO_LARGE, message: exception.message };
    if (exception instanceof ServiceUnavailableError) return { status: HttpStatus.SERVICE_UNAVAILABLE, message: exception.message };
    // The api's own reads and writes (raw downloads, large requests): as a service's RpcDependencyFailureFilter answers.
    const unavailable = dependencyUnavailableMessage(exception);
    if (unavailable) return { status: HttpStatus.SERVICE_UNAVAILABLE, message: unavailable };
    const unreadableBody = describeBodyParserError(exception);
    if (unreadableBody) return unreadableBody;
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ([] as string[]).concat((body as { message?: string | string[] }).message ?? exception.message).join('; ');
      return { status: exception.getStatus(), message };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error' };
  }
}

/** What Express's body parser throws (http-errors): a client error with a `type` such as entity.too.large. */
interface BodyParserError {
  status: number;
  type: string;
  message: string;
  limit?: number;
  length?: number;
}

/**
 * A body the parser refused: too large (413), an encoding or charset it cannot read (415); not a server
 * error. (Invalid JSON reaches the filter as Nest's BadRequestException with the parser's message.)
 */
function describeBodyParserError(exception: unknown): Described | undefined {
  const error = exception as Partial<BodyParserError> | null;
  if (typeof error !== 'object' || error === null || typeof error.type !== 'string' || typeof error.status !== 'number' || error.status < 400 || error.status >= 500) return undefined;
  if (error.type === 'entity.too.large') {
    const size = error.length ? `is ${error.length} bytes` : 'is larger than that';
    return { status: HttpStatus.PAYLOAD_TOO_LARGE, message: `the request body ${size}; at most ${error.limit} bytes are accepted here` };
  }
  return { status: error.status, message: error.message ?? 'the request body cannot be read' };
}
