import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { MAX_OUTBOX_REQUEST_BYTES } from '@mailbus/contracts';

/** Any other JSON body; enough for an account with a 100,000-character HTML signature (Express's own default is 100 KB). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * JSON body limits per route: `POST /v1/outbox` carries up to 25 MiB of attachments, base64-encoded;
 * the other routes far less. A larger body is answered 413 (ApiExceptionFilter). Registered before
 * Nest's own parsers, which then add no JSON parser of their own.
 */
export function useBodyLimits(app: INestApplication): void {
  app.use('/v1/outbox', json({ limit: MAX_OUTBOX_REQUEST_BYTES }));
  (app as NestExpressApplication).useBodyParser('json', { limit: MAX_REQUEST_BYTES });
}
