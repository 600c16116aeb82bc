import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { PUBLIC_ROUTE } from '@mailbus/service-runtime';
import { PRINCIPAL_KEY } from './api-principal.dto';
import type { ApiRole } from './api-tokens.util';
import { BEARER_CHALLENGE, BearerAuthGuard } from './bearer-auth.guard';
import { REQUIRED_ROLE } from './roles.decorator';

const tokens = [
  { role: 'admin' as const, token: 'admin-token-0123456789' },
  { role: 'app' as const, token: 'app-token-0123456789ab' },
];

/** A handler and its controller carrying the metadata the decorators would set. */
function route({ required, isPublic }: { required?: ApiRole; isPublic?: boolean } = {}): { handler: () => void; controller: new () => unknown } {
  const handler = (): void => undefined;
  class Controller {}
  if (required) Reflect.defineMetadata(REQUIRED_ROLE, required, handler);
  if (isPublic) Reflect.defineMetadata(PUBLIC_ROUTE, true, Controller);
  return { handler, controller: Controller };
}

function httpContext({ authorization, target = route() }: { authorization?: string; target?: ReturnType<typeof route> }) {
  const request: Record<string, unknown> = { headers: authorization === undefined ? {} : { authorization }, method: 'GET', path: '/v1/x' };
  const headers: Record<string, string> = {};
  const context = {
    getType: () => 'http',
    getHandler: () => target.handler,
    getClass: () => target.controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ setHeader: (name: string, value: string) => void (headers[name] = value) }) }),
  } as unknown as ExecutionContext;
  return { context, request, headers };
}

describe(BearerAuthGuard.name, () => {
  const sut = new BearerAuthGuard(new Reflector(), tokens);

  it('should let an admin token through a route without @Roles and record the principal', () => {
    const { context, request } = httpContext({ authorization: 'Bearer admin-token-0123456789' });
    expect(sut.canActivate(context)).toBe(true);
    expect(request[PRINCIPAL_KEY]).toEqual({ role: 'admin' });
  });

  it('should refuse an app token on a route without @Roles with 403', () => {
    expect(() => sut.canActivate(httpContext({ authorization: 'Bearer app-token-0123456789ab' }).context)).toThrow(ForbiddenException);
  });

  it.each(['app', 'admin'] as const)('should let an %s token through a @Roles("app") route', (role) => {
    const { context, request } = httpContext({ authorization: `Bearer ${tokens.find((token) => token.role === role)!.token}`, target: route({ required: 'app' }) });
    expect(sut.canActivate(context)).toBe(true);
    expect(request[PRINCIPAL_KEY]).toEqual({ role });
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic admin-token-0123456789', 'Bearer admin-token-0123456789 extra', 'Bearer admin-token-012345678', 'Bearer admin-token-0123456789x'])(
    'should answer 401 with a challenge for Authorization %j',
    (authorization) => {
      const { context, headers } = httpContext({ authorization });
      expect(() => sut.canActivate(context)).toThrow(UnauthorizedException);
      expect(headers['WWW-Authenticate']).toBe(BEARER_CHALLENGE);
    },
  );

  it('should let anyone through a route marked public', () => {
    expect(sut.canActivate(httpContext({ target: route({ isPublic: true }) }).context)).toBe(true);
  });

  it('should leave NATS request/reply handlers alone', () => {
    expect(sut.canActivate({ getType: () => 'rpc' } as unknown as ExecutionContext)).toBe(true);
  });

  it('should let no token through when none is configured', () => {
    const { context } = httpContext({ authorization: 'Bearer admin-token-0123456789' });
    expect(() => new BearerAuthGuard(new Reflector(), []).canActivate(context)).toThrow(UnauthorizedException);
  });
});
