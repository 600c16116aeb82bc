import { RpcException } from '@nestjs/microservices';
import { describeFieldErrors, fieldErrorsFromZod, type FieldError, type RpcErrorBody } from '@mailbus/contracts';
import type { z } from 'zod';

/**
 * A request/reply handler's answer to a wrong request: Nest's RPC exception filter sends the body to
 * the caller as the error, and the api maps its code to an HTTP status (see RpcErrorBody).
 */
export class RpcDomainError extends RpcException {
  constructor(readonly body: RpcErrorBody) {
    super(body);
  }

  static notFound(message: string): RpcDomainError {
    return new RpcDomainError({ code: 'not_found', message });
  }

  static conflict(message: string): RpcDomainError {
    return new RpcDomainError({ code: 'conflict', message });
  }

  static unprocessable(message: string): RpcDomainError {
    return new RpcDomainError({ code: 'unprocessable', message });
  }

  /** A mail server the request needed failed (wrong password, unreachable): 502 with its text. */
  static upstream(message: string): RpcDomainError {
    return new RpcDomainError({ code: 'upstream_failed', message });
  }

  /** Not possible now, maybe soon (every connection slot of the mail server in use): 503. */
  static unavailable(message: string): RpcDomainError {
    return new RpcDomainError({ code: 'unavailable', message });
  }

  static invalid(fields: FieldError[]): RpcDomainError {
    return new RpcDomainError({ code: 'validation_failed', message: describeFieldErrors(fields), fields });
  }
}

/** Parses a request payload; a bad one becomes a validation_failed answer with field errors. */
export function parseRpcInput<Schema extends z.ZodTypeAny>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw RpcDomainError.invalid(fieldErrorsFromZod(result.error));
  return result.data as z.output<Schema>;
}
