import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '@nats-io/jetstream';
import { desiredStreams, planStreamUpdate } from './stream-config.util';

const [events] = desiredStreams({ duplicateWindowMs: 600_000, streamReplicas: 1 });
const existing = (overrides: Partial<StreamConfig>): StreamConfig => ({ ...events, max_age: 0, max_msgs: -1, ...overrides }) as StreamConfig;

describe(planStreamUpdate.name, () => {
  it('should change nothing when the stream matches', () => {
    expect(planStreamUpdate({ existing: existing({}), desired: events })).toEqual({ update: undefined, immutable: [] });
  });

  it('should add missing subjects and keep the operator ones when the subjects differ', () => {
    expect(planStreamUpdate({ existing: existing({ subjects: ['legacy.>'] }), desired: events }).update).toEqual({ subjects: ['legacy.>', 'mailbus.v1.>'] });
  });

  it('should update the duplicate window and replicas but leave other limits alone when they differ', () => {
    const plan = planStreamUpdate({ existing: existing({ duplicate_window: 120_000_000_000, num_replicas: 3, max_age: 5 }), desired: events });
    expect(plan.update).toEqual({ duplicate_window: 600_000_000_000, num_replicas: 1 });
  });

  it('should report but not touch the storage when it cannot be changed', () => {
    const plan = planStreamUpdate({ existing: existing({ storage: 'memory' as StreamConfig['storage'] }), desired: events });
    expect(plan).toEqual({ update: undefined, immutable: ['storage is memory, expected file'] });
  });
});
