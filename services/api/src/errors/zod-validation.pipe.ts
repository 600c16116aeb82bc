import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import type { ZodError } from 'zod';
import { fieldErrorsFromZod } from '@mailbus/contracts';
import { RequestValidationError } from './request-validation.error';

const StrictZodPipe = createZodValidationPipe({
  strictSchemaDeclaration: true,
  createValidationException: (error) => new RequestValidationError(fieldErrorsFromZod(error as ZodError)),
});

/**
 * Validates every HTTP body, query and params typed with a zod DTO (createZodDto). Strict for those:
 * a handler input without a schema is a programming error, caught on the first request in the tests.
 *
 * Two kinds of argument pass through. Custom parameters (@CurrentPrincipal) are not request input.
 * And the global pipe also reaches the NATS status handler every service runs, where Nest hands a
 * handler without parameters its payload as a 'body' with no type at all: a declared parameter
 * always has a design type (Object for an interface), so no type means nobody asked for the value.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  private readonly strict = new StrictZodPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom' || metadata.metatype === undefined) return value;
    return this.strict.transform(value, metadata);
  }
}
