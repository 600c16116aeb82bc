import { AckPolicy, DeliverPolicy, ReplayPolicy, type ConsumerConfig, type ConsumerUpdateConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

/** The durable pull consumer of one handler; max_ack_pending only when the handler sets it (else the server's default, or the operator's value, stays). */
export function desiredConsumerConfig({ durable, subject, description, ackWaitMs, maxAckPending }: { durable: string; subject: string; description: string; ackWaitMs: number; maxAckPending?: number }): ConsumerConfig {
  return {
    durable_name: durable,
    description,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    // A consumer created after events were published (a new service, a new handler) still sees them.
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    // Unlimited on the server: the client dead-letters after its own maxDeliver (see settlement.ts).
    max_deliver: -1,
    ack_wait: nanos(ackWaitMs),
    ...(maxAckPending !== undefined ? { max_ack_pending: maxAckPending } : {}),
  };
}

export interface ConsumerUpdatePlan {
  update?: Partial<ConsumerUpdateConfig>;
  /** Differences the server cannot change on an existing consumer; logged, the consumer is kept. */
  immutable: string[];
}

/** What to change on an existing durable so that it matches its handler; other settings stay the operator's. */
export function planConsumerUpdate({ existing, desired }: { existing: ConsumerConfig; desired: ConsumerConfig }): ConsumerUpdatePlan {
  const update: Partial<ConsumerUpdateConfig> = {};
  for (const field of ['filter_subject', 'max_deliver', 'ack_wait', 'description'] as const) {
    if (existing[field] !== desired[field]) Object.assign(update, { [field]: desired[field] });
  }
  // Only a handler that names it owns max_ack_pending; otherwise the operator's value stays.
  if (desired.max_ack_pending !== undefined && existing.max_ack_pending !== desired.max_ack_pending) update.max_ack_pending = desired.max_ack_pending;
  const immutable = (['ack_policy', 'deliver_policy'] as const).filter((field) => existing[field] !== desired[field]).map((field) => `${field} is ${existing[field]}, expected ${desired[field]}`);
  return { update: Object.keys(update).length > 0 ? update : undefined, immutable };
}
