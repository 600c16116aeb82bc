import { describe, expect, it } from 'vitest';
import type { ConsumerConfig } from '@nats-io/jetstream';
import { desiredConsumerConfig, planConsumerUpdate } from './consumer-config.util';

const desired = desiredConsumerConfig({ durable: 'router__test_happened', subject: 'mailbus.v1.test.happened', description: 'router handles test.happened', ackWaitMs: 30_000 });

describe(planConsumerUpdate.name, () => {
  it('should leave the consumer alone when it matches, whatever the operator tuned besides', () => {
    expect(planConsumerUpdate({ existing: { ...desired, max_ack_pending: 50 }, desired })).toEqual({ update: undefined, immutable: [] });
  });

  it('should update the filter, ack wait and redelivery limit when they differ', () => {
    const existing: ConsumerConfig = { ...desired, filter_subject: 'mailbus.v1.other', ack_wait: 5_000_000_000, max_deliver: 5 };
    expect(planConsumerUpdate({ existing, desired }).update).toEqual({ filter_subject: 'mailbus.v1.test.happened', ack_wait: 30_000_000_000, max_deliver: -1 });
  });

  it("should set a handler's max_ack_pending on the consumer, and leave the operator's alone when the handler sets none", () => {
    const withLimit = desiredConsumerConfig({ durable: 'sender__send_requested', subject: 'mailbus.v1.send.requested', description: 'sender handles send.requested', ackWaitMs: 30_000, maxAckPending: 10_000 });

    expect(withLimit.max_ack_pending).toBe(10_000);
    expect(planConsumerUpdate({ existing: { ...withLimit, max_ack_pending: 1_000 }, desired: withLimit }).update).toEqual({ max_ack_pending: 10_000 });
    expect(desired.max_ack_pending).toBeUndefined();
    expect(planConsumerUpdate({ existing: { ...desired, max_ack_pending: 1_000 }, desired }).update).toBeUndefined();
  });

  it('should report a deliver policy that cannot be changed in place', () => {
    expect(planConsumerUpdate({ existing: { ...desired, deliver_policy: 'new' as ConsumerConfig['deliver_policy'] }, desired }).immutable).toEqual(['deliver_policy is new, expected all']);
  });
});
