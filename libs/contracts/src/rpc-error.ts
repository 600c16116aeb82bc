/**
 * The error body a service answers a request/reply call with when the request itself is wrong (as
 * opposed to the service being down, which the caller sees as a timeout). The api maps `code` to an
 * HTTP status: validation_failed 400, not_found 404, conflict 409, unprocessable 422, internal 500,
 * upstream_failed 502 (a mail server the service had to ask failed; the message says how),
 * unavailable 503 (the service could not do it now, e.g. every connection slot of the mail server is in
 * use; asking again later may succeed).
 */
export const RPC_ERROR_CODES = ['validation_failed', 'not_found', 'conflict', 'unprocessable', 'upstream_failed', 'unavailable', 'internal'] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

/** One invalid input field, `path` in dot notation with indexes (`receive.port`, `owners.0`). */
export type FieldError = { path: string; message: string };

export type RpcErrorBody = { code: RpcErrorCode; message: string; fields?: FieldError[] };

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (RPC_ERROR_CODES as readonly unknown[]).includes(code);
}
