import { describe, expect, it } from 'vitest';
import { JetStreamApiError } from '@nats-io/jetstream';
import { ClosedConnectionError, RequestError, TimeoutError } from '@nats-io/nats-core';
import { isTransientPublishError } from './publish-with-retry.util';

describe(isTransientPublishError.name, () => {
  it('should retry when the PubAck did not arrive or nobody answered', () => {
    expect(isTransientPublishError(new TimeoutError())).toBe(true);
    expect(isTransientPublishError(new RequestError('no responders'))).toBe(true);
    expect(isTransientPublishError(Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' }))).toBe(true);
    expect(isTransientPublishError(new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' }))).toBe(true);
  });

  it('should give up when the stream rejected the message or the connection is closed', () => {
    expect(isTransientPublishError(new JetStreamApiError({ code: 400, err_code: 10054, description: 'maximum message size exceeded' }))).toBe(false);
    expect(isTransientPublishError(new ClosedConnectionError())).toBe(false);
    expect(isTransientPublishError(new Error('boom'))).toBe(false);
  });
});
