import type { RpcErrorBody } from '@mailbus/contracts';

/** Another service answered that the request was wrong; the filter renders its code as an HTTP status. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';

  constructor(readonly body: RpcErrorBody) {
    super(body.message);
  }
}
