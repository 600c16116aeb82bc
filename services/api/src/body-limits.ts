import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { MAX_OUTBOX_REQUEST_BYTES } from '@mailbus/contracts';

/** NATS's default max_payload: the api hands other routes' bodies on inside one NATS message. */
const NATS_DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Room for the RPC framing (subject, packet id, the api's own fields) around the body within max_payload. */
const RPC_FRAMING_RESERVE_BYTES = 16 * 1024;

/**
 * Any other JSON body; enough for an account with a 100,000-character HTML signature (Express's own
 * default is 100 KB). Below max_payload, so that a body the api accepts also fits the NATS request:
 * one that still does not (re-encoded larger) is answered 413 by RpcClient, not 503.
 */
export const MAX_REQUEST_BYTES = NATS_DEFAULT_MAX_PAYLOAD_BYTES - RPC_FRAMING_RESERVE_BYTES;

/**
 * JSON body limits per route: `POST /v1/outbox` carries up to 25 MiB of attachments, base64-encoded;
 * the other routes far less. A larger body is answered 413 (ApiExceptionFilter). Registered before
 * Nest's own parsers, which then add no JSON parser of their own.
 */
export function useBodyLimits(app: INestApplication): void {
  app.use('/v1/outbox', json({ limit: MAX_OUTBOX_REQUEST_BYTES }));
  (app as NestExpressApplication).useBodyParser('json', { limit: MAX_REQUEST_BYTES });
}
