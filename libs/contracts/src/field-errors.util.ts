import type { ZodError } from 'zod';
import type { FieldError } from './rpc-error';

/** Zod issues as field errors (`receive.port`, `owners.0`); a root-level issue has the path `(body)`. */
export function fieldErrorsFromZod(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.length > 0 ? issue.path.join('.') : '(body)', message: issue.message }));
}

/** One line for logs and the error message: `receive.port: must be …; owners: needs …`. */
export const describeFieldErrors = (fields: readonly FieldError[]): string => fields.map(({ path, message }) => `${path}: ${message}`).join('; ');
