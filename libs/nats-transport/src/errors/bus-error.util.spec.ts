import { JetStreamApiError } from '@nats-io/jetstream';
import { ClosedConnectionError, ProtocolError, TimeoutError } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { isBusError, isBusUnavailable } from './bus-error.util';

const apiError = (status: number, errCode: number, description: string) => new JetStreamApiError({ code: status, err_code: errCode, description });
const notEnabled = Object.assign(new Error('jetstream is not enabled'), { name: 'JetStreamNotEnabled' });

describe(isBusUnavailable.name, () => {
  it('should be true while NATS cannot be reached, answers nothing in time, or JetStream has no leader', () => {
    for (const error of [new ClosedConnectionError(), new TimeoutError(), notEnabled, apiError(503, 10008, 'JetStream system temporarily unavailable')]) expect(isBusUnavailable(error), error.message).toBe(true);
  });

  it('should be false for refusals a retry does not change, which isBusError still counts', () => {
    for (const error of [apiError(400, 10054, 'message size exceeds maximum allowed'), new ProtocolError("Permissions Violation for Publish to 'mailbus.v1.x'")]) {
      expect(isBusUnavailable(error), error.message).toBe(false);
      expect(isBusError(error), error.message).toBe(true);
    }
    expect(isBusUnavailable(new Error('timeout'))).toBe(false);
  });
});
