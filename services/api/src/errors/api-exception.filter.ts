import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceUnavailableError } from './service-unavailable.error';

const codeByStatus: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable',
  503: 'service_unavailable',
};

/** Every error leaves the api as `{ "error": { "code", "message" } }` (SPEC §4). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception);
    if (status >= 500) this.logger.error({ msg: message, err: exception });
    response.status(status).json({ error: { code: codeByStatus[status] ?? (status >= 500 ? 'internal' : 'error'), message } });
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (exception instanceof ServiceUnavailableError) return { status: HttpStatus.SERVICE_UNAVAILABLE, message: exception.message };
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ([] as string[]).concat((body as { message?: string | string[] }).message ?? exception.message).join('; ');
      return { status: exception.getStatus(), message };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error' };
  }
}
