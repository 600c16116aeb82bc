import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { PUBLIC_ROUTE } from '@mailbus/service-runtime';
import { PRINCIPAL_KEY, type RequestWithPrincipal } from './api-principal.dto';
import type { ApiRole, ApiToken } from './api-tokens.util';
import { REQUIRED_ROLE } from './roles.decorator';

export const API_TOKENS = Symbol('API_TOKENS');

/** Value of WWW-Authenticate on every 401 (RFC 6750). */
export const BEARER_CHALLENGE = 'Bearer realm="mailbus"';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer tokens on every HTTP route (APP_GUARD), failing closed: a handler without @Roles is
 * admin-only, and `app` tokens reach only what @Roles('app') marks.
 *
 * Public routes are found by metadata, not by path: /health/* and /metrics are controllers of
 * libs/service-runtime marked with PUBLIC_ROUTE there, and @Public() sets the same key. A path
 * prefix list would silently open any api route that happened to start with it, and break if a
 * global prefix were added; the metadata travels with the controller. /docs and /docs-json are
 * express middleware mounted by SwaggerModule outside the Nest router, so no guard runs for them.
 *
 * Tokens are compared as SHA-256 digests with timingSafeEqual, so neither content nor length
 * leaks through timing.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly known: Array<{ role: ApiRole; digest: Buffer }>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_TOKENS) tokens: ApiToken[],
  ) {
    this.known = tokens.map(({ role, token }) => ({ role, digest: digest(token) }));
  }

  canActivate(context: ExecutionContext): boolean {
    // The guard is global and the api's NATS request/reply handlers inherit it; that bus is internal.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const match = /^Bearer +([^\s]+) *$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return this.unauthorized(context, 'send Authorization: Bearer <token>');
    const role = this.roleOf(match[1]);
    if (!role) return this.unauthorized(context, 'unknown token');
    const required = this.reflector.getAllAndOverride<ApiRole | undefined>(REQUIRED_ROLE, targets) ?? 'admin';
    if (required === 'admin' && role !== 'admin') throw new ForbiddenException(`this needs an admin token; an ${role} token may not ${request.method} ${request.path}`);
    request[PRINCIPAL_KEY] = { role };
    return true;
  }

  private roleOf(token: string): ApiRole | undefined {
    const presented = digest(token);
    // Every known token is compared, match or not, so the time taken does not depend on which one matched.
    let role: ApiRole | undefined;
    for (const candidate of this.known) if (timingSafeEqual(candidate.digest, presented)) role ??= candidate.role;
    return role;
  }

  private unauthorized(context: ExecutionContext, message: string): never {
    // Set here because ApiExceptionFilter renders the body only; headers already set survive it.
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', BEARER_CHALLENGE);
    throw new UnauthorizedException(message);
  }
}
