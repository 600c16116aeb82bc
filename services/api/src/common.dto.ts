import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { entityIdField, listQuerySchema } from '@mailbus/contracts';

export class IdParams extends createZodDto(z.object({ id: entityIdField })) {}
export class ListQueryDto extends createZodDto(listQuerySchema) {}

/** OpenAPI for the error body every endpoint shares. */
export const errorExample = (code: string, message: string, fields?: Array<{ path: string; message: string }>) => ({
  schema: { example: { error: { code, message, ...(fields ? { fields } : {}) } } },
});
