import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig, type StreamUpdateConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { DEAD_LETTER_STREAM, EVENTS_STREAM } from '@mailbus/contracts';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';

/** The part of a stream's configuration that mailbus owns; everything else (limits, placement) is the operator's. */
export type OwnedStreamConfig = Pick<StreamConfig, 'name' | 'description' | 'subjects' | 'storage' | 'retention' | 'discard' | 'duplicate_window' | 'num_replicas'>;

/** The events stream and the dead-letter stream, as this service would create them. */
export function desiredStreams(options: Pick<ResolvedJetStreamOptions, 'duplicateWindowMs' | 'streamReplicas'>): OwnedStreamConfig[] {
  const common = { storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, duplicate_window: nanos(options.duplicateWindowMs), num_replicas: options.streamReplicas };
  return [
    { ...common, name: EVENTS_STREAM.name, subjects: [...EVENTS_STREAM.subjects], description: 'mailbus events (SPEC §5)' },
    { ...common, name: DEAD_LETTER_STREAM.name, subjects: [...DEAD_LETTER_STREAM.subjects], description: 'mailbus events whose handler gave up, with the error' },
  ];
}

export interface StreamUpdatePlan {
  /** Fields to send in a stream update; undefined when the stream already matches. */
  update?: Partial<StreamUpdateConfig>;
  /** Differences the server cannot change on an existing stream; logged, never "fixed" by deleting it. */
  immutable: string[];
}

/**
 * What to change on an existing stream so that it serves mailbus. Subjects are only ever added (an
 * operator may have widened the stream); limits other than the duplicate window are left alone.
 */
export function planStreamUpdate({ existing, desired }: { existing: StreamConfig; desired: OwnedStreamConfig }): StreamUpdatePlan {
  const update: Partial<StreamUpdateConfig> = {};
  const missingSubjects = desired.subjects.filter((subject) => !existing.subjects?.includes(subject));
  if (missingSubjects.length > 0) update.subjects = [...(existing.subjects ?? []), ...missingSubjects];
  if (existing.duplicate_window !== desired.duplicate_window) update.duplicate_window = desired.duplicate_window;
  if (existing.num_replicas !== desired.num_replicas) update.num_replicas = desired.num_replicas;
  const immutable = (['storage', 'retention'] as const).filter((field) => existing[field] !== desired[field]).map((field) => `${field} is ${existing[field]}, expected ${desired[field]}`);
  return { update: Object.keys(update).length > 0 ? update : undefined, immutable };
}
