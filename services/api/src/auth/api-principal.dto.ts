import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { API_ROLES } from './api-tokens.util';

/**
 * Who is calling, as far as the api knows: the role of the token presented. BearerAuthGuard sets it
 * on the request; handlers read it with @CurrentPrincipal(). A zod DTO so that its shape is
 * checked by one schema and documented like every other type of the api.
 */
export class ApiPrincipal extends createZodDto(z.object({ role: z.enum(API_ROLES) })) {}

/** Where BearerAuthGuard leaves the principal on the express request. */
export const PRINCIPAL_KEY = 'mailbusPrincipal';

export type RequestWithPrincipal = { [PRINCIPAL_KEY]?: ApiPrincipal };
