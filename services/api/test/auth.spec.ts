import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@mailbus/config';
import { startStack, type Stack } from '@mailbus/testing';
import { AppModule } from '../src/app.module';
import { ApiPrincipal } from '../src/auth/api-principal.dto';
import { CurrentPrincipal } from '../src/auth/current-principal.decorator';
import { Public } from '../src/auth/public.decorator';
import { Roles } from '../src/auth/roles.decorator';
import { loadApiConfig } from '../src/config/api.config';
import { mountOpenApi } from '../src/openapi';

const tokens = { admin: `admin-${randomBytes(12).toString('hex')}`, app: `app-${randomBytes(12).toString('hex')}` };

/** Test-only routes: one per way a handler can be marked, so the guard's rules are checked without relying on feature controllers. */
@Controller('v1/test-auth')
class AuthProbeController {
  @Get('unmarked')
  unmarked(@CurrentPrincipal() principal: ApiPrincipal): ApiPrincipal {
    return principal;
  }

  @Roles('app')
  @Get('app')
  app(@CurrentPrincipal() principal: ApiPrincipal): ApiPrincipal {
    return principal;
  }

  @Public()
  @Get('public')
  open(): { open: true } {
    return { open: true };
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

describe('api authentication', () => {
  let stack: Stack;
  let app: INestApplication;
  let baseUrl: string;

  const call = async (path: string, token?: string, scheme = 'Bearer'): Promise<Answer> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: token === undefined ? {} : { authorization: `${scheme} ${token}` } });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (metrics): keep the text
    }
    return { status: response.status, headers: response.headers, body };
  };

  beforeAll(async () => {
    stack = await startStack();
    const config = loadApiConfig({
      ...stack.env,
      MONGODB_DB: `api_auth_${randomBytes(4).toString('hex')}`,
      MAILBUS_ENV: 'production',
      MAILBUS_API_TOKENS: `admin:${tokens.admin},app:${tokens.app}`,
      LOG_LEVEL: 'silent',
      RPC_TIMEOUT_MS: '500',
    });
    @Module({ imports: [AppModule.forRoot(config)], controllers: [AuthProbeController] })
    class AuthTestModule {}
    app = await NestFactory.create(AuthTestModule, { logger: false });
    mountOpenApi(app);
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await stack?.stop();
  });

  it.each([
    ['no Authorization header', undefined, 'Bearer', 'send Authorization: Bearer <token>'],
    ['an empty bearer token', '', 'Bearer', 'send Authorization: Bearer <token>'],
    ['another scheme', tokens.admin, 'Basic', 'send Authorization: Bearer <token>'],
    ['an unknown token', `admin-${randomBytes(12).toString('hex')}`, 'Bearer', 'unknown token'],
    ['a known token with one character less', tokens.admin.slice(0, -1), 'Bearer', 'unknown token'],
  ])('should answer 401 with a Bearer challenge when the request has %s', async (_case, token, scheme, message) => {
    const sut = await call('/v1/status', token, scheme);
    expect(sut.status).toBe(401);
    expect(sut.headers.get('www-authenticate')).toBe('Bearer realm="mailbus"');
    expect(sut.body).toEqual({ error: { code: 'unauthorized', message } });
  });

  it('should answer 403 when an app token calls a route without @Roles, which is admin-only', async () => {
    const sut = await call('/v1/test-auth/unmarked', tokens.app);
    expect(sut.status).toBe(403);
    expect(sut.headers.get('www-authenticate')).toBeNull();
    expect(sut.body).toEqual({ error: { code: 'forbidden', message: 'this needs an admin token; an app token may not GET /v1/test-auth/unmarked' } });
  });

  it('should answer 403 when an app token calls an admin controller of the api', async () => {
    expect((await call('/v1/users', tokens.app)).status).toBe(403);
  });

  it('should let an admin token call admin-only routes and tell the handler who called', async () => {
    expect(await call('/v1/test-auth/unmarked', tokens.admin)).toMatchObject({ status: 200, body: { role: 'admin' } });
  });

  it('should let app and admin tokens call @Roles("app") routes', async () => {
    expect(await call('/v1/test-auth/app', tokens.app)).toMatchObject({ status: 200, body: { role: 'app' } });
    expect(await call('/v1/test-auth/app', tokens.admin)).toMatchObject({ status: 200, body: { role: 'admin' } });
  });

  it('should answer /v1/status to an app token', async () => {
    const sut = await call('/v1/status', tokens.app);
    expect(sut.status).toBe(200);
    expect(sut.body).toMatchObject({ ready: false, services: expect.arrayContaining([expect.objectContaining({ service: 'fetcher', ready: false })]) });
  });

  it('should accept the scheme name in any case', async () => {
    expect((await call('/v1/status', tokens.app, 'bearer')).status).toBe(200);
  });

  it.each(['/health/live', '/health/ready', '/metrics', '/docs-json', '/docs', '/v1/test-auth/public'])('should answer %s without a token', async (path) => {
    const sut = await call(path);
    expect(sut.status).toBe(200);
    expect(sut.headers.get('www-authenticate')).toBeNull();
  });

  it('should not look at the token on a @Public() route', async () => {
    expect(await call('/v1/test-auth/public', 'not-a-known-token')).toMatchObject({ status: 200, body: { open: true } });
  });

  it('should show bearer authentication in the OpenAPI document', async () => {
    const { body } = await call('/docs-json');
    const document = body as { components: { securitySchemes: Record<string, { type: string; scheme: string }> }; paths: Record<string, { get?: { security?: unknown[] } }> };
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/v1/status']?.get?.security).toEqual([{ bearer: [] }]);
    expect((document as unknown as { security: unknown[] }).security).toEqual([{ bearer: [] }]);
    expect(Object.keys(document.paths).some((path) => path.startsWith('/health') || path.startsWith('/metrics'))).toBe(false);
  });

  it('should refuse a production configuration without tokens', () => {
    const env = { ...stack.env, MAILBUS_ENV: 'production' };
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow('api: invalid configuration: MAILBUS_API_TOKENS: is required in production');
  });
});
