import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, ProtocolError, RequestError, TimeoutError } from '@nats-io/nats-core';

const BUS_ERRORS = [ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, ProtocolError, RequestError, TimeoutError, JetStreamError, JetStreamApiError];

/**
 * True when NATS failed an operation: no connection, no answer in time, nobody listening, or JetStream
 * refusing (the client reports a missing JetStream as JetStreamNotEnabled, which it does not export).
 * See isStoreError in @mailbus/mongo-dal for why callers ask.
 */
export function isBusError(error: unknown): boolean {
  return BUS_ERRORS.some((type) => error instanceof type) || (error instanceof Error && error.name === 'JetStreamNotEnabled');
}
