import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { PRINCIPAL_KEY, type ApiPrincipal, type RequestWithPrincipal } from './api-principal.dto';

/**
 * The caller's principal (`{ role }`) in a handler; type the parameter as ApiPrincipal (the class,
 * so the global ZodValidationPipe finds its schema). On a @Public() route the guard does not read
 * the token, so asking for the principal there is a programming error and fails loudly.
 * @example @Get() list(@CurrentPrincipal() principal: ApiPrincipal) { … }
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): ApiPrincipal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>()[PRINCIPAL_KEY];
  if (!principal) throw new Error('@CurrentPrincipal() on a route the auth guard did not check (a @Public() route?)');
  return principal;
});
