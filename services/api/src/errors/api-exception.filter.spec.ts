import type { ArgumentsHost } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { ApiExceptionFilter } from './api-exception.filter';
import { RequestTooLargeError } from './request-too-large.error';

/** An HTTP host whose response records what the filter sends. */
function httpHost() {
  const response = { status: vi.fn(), json: vi.fn(), setHeader: vi.fn() };
  response.status.mockReturnValue(response);
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  return { host, response };
}

describe(ApiExceptionFilter.name, () => {
  it('should answer 413 payload_too_large without Retry-After for a request that does not fit a NATS message', () => {
    const sut = new ApiExceptionFilter();
    const { host, response } = httpHost();

    sut.catch(new RequestTooLargeError('request too large: it does not fit one message to the service (s); send less'), host);

    expect(response.status).toHaveBeenCalledWith(413);
    expect(response.json).toHaveBeenCalledWith({ error: { code: 'payload_too_large', message: 'request too large: it does not fit one message to the service (s); send less' } });
    expect(response.setHeader).not.toHaveBeenCalled();
  });
});
