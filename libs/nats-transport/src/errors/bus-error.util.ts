import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, ProtocolError, RequestError, TimeoutError } from '@nats-io/nats-core';

const BUS_ERRORS = [ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, ProtocolError, RequestError, TimeoutError, JetStreamError, JetStreamApiError];

/** The client reports "no responders" for a JetStream request as JetStreamNotEnabled, a class it does not export. */
export const isJetStreamNotEnabled = (error: unknown): boolean => error instanceof Error && error.name === 'JetStreamNotEnabled';

/**
 * True when NATS failed an operation: no connection, no answer in time, nobody listening, or JetStream
 * refusing (JetStreamNotEnabled included).
 * See isStoreError in @mailbus/mongo-dal for why callers ask.
 */
export function isBusError(error: unknown): boolean {
  return BUS_ERRORS.some((type) => error instanceof type) || isJetStreamNotEnabled(error);
}

const UNREACHABLE = [ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError];

/**
 * True when NATS cannot be reached or answered nothing in time, so the same operation will work once it
 * is back: the narrow part of isBusError. JetStream refusing a request (a message too large, a wrong
 * expectation, a permission) is not, unless it answers 503 (no JetStream leader or quorum right now).
 */
export function isBusUnavailable(error: unknown): boolean {
  return UNREACHABLE.some((type) => error instanceof type) || isJetStreamNotEnabled(error) || (error instanceof JetStreamApiError && error.status === 503);
}
