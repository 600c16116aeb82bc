import { JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { RequestError, TimeoutError, type MsgHdrs } from '@nats-io/nats-core';
import { backoffDelay } from '../connection/backoff-delay.util';
import { interruptibleSleep } from '../connection/interruptible-sleep.util';
import { isJetStreamNotEnabled } from '../errors/bus-error.util';

const ATTEMPTS = 4;
const RETRY = { initialMs: 200, maxMs: 2_000 };

/**
 * True for failures that a second attempt can fix: no PubAck in time (server busy, reconnecting, a
 * leader election), nobody listening on the subject (JetStream restarting, stream being recreated) or
 * a 503 from the JetStream API. A rejection by the stream (too large, wrong sequence) or a closed
 * connection is final.
 */
export function isTransientPublishError(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof RequestError) return true;
  if (isJetStreamNotEnabled(error)) return true;
  return error instanceof JetStreamApiError && error.status === 503;
}

const isNoResponders = (error: unknown): boolean => isJetStreamNotEnabled(error) || (error instanceof RequestError && error.isNoResponders());

/**
 * Publishes and awaits the PubAck, retrying transient failures a few times with backoff. Safe to retry
 * because the msgId lets the stream drop a copy that did arrive the first time (the PubAck then says
 * `duplicate`). `recover` runs before a retry when no stream listened, e.g. to re-provision the streams.
 */
export async function publishWithRetry({
  js,
  subject,
  data,
  msgId,
  headers,
  recover,
}: {
  js: JetStreamClient;
  subject: string;
  data: Uint8Array;
  msgId: string;
  headers?: MsgHdrs;
  recover?: () => Promise<void>;
}): Promise<PubAck> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await js.publish(subject, data, { msgID: msgId, ...(headers ? { headers } : {}) });
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransientPublishError(error)) throw error;
      if (recover && isNoResponders(error)) await recover().catch(() => undefined);
      await interruptibleSleep(backoffDelay({ attempt, ...RETRY })).done;
    }
  }
}
