import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { entityIdField, listQuerySchema } from '@mailbus/contracts';

export class IdParams extends createZodDto(z.object({ id: entityIdField })) {}
export class ListQueryDto extends createZodDto(listQuerySchema) {}

/** How the id-ordered lists page (users, groups, accounts). */
export const PAGE_DESCRIPTION = '`limit` is the most a page holds: a page of large items (long HTML signatures, big groups) may hold fewer, and has `next` all the same. The last page has no `next`.';

/** OpenAPI for the error body every endpoint shares. */
export const errorExample = (code: string, message: string, fields?: Array<{ path: string; message: string }>) => ({
  schema: { example: { error: { code, message, ...(fields ? { fields } : {}) } } },
});
