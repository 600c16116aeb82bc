import { describeFieldErrors, type FieldError } from '@mailbus/contracts';

/** The request does not match its schema: 400 with one entry per bad field. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';

  constructor(readonly fields: FieldError[]) {
    super(describeFieldErrors(fields));
  }
}
