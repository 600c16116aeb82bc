import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { isBusUnavailable } from './errors/bus-error.util';

/** Settings of the JetStream layer of one service. Only `servers` and `service` are required. */
export interface JetStreamModuleOptions {
  /** One NATS URL or several separated by commas, e.g. `nats://nats-0:4222,nats://nats-1:4222`. */
  servers: string;
  /** The consuming service, e.g. `message-router`: the first part of every durable consumer name. */
  service: string;
  /** Shown by the server (`nats server report connections`); default `mailbus-<service>`. */
  connectionName?: string;
  /** Deliveries before a failing event is dead-lettered; default 5. A handler may override it. */
  maxDeliver?: number;
  /** Redelivery delays after the 1st, 2nd, … failure; the last one repeats. Default 1 s, 5 s, 30 s, 2 min. */
  backoffMs?: number[];
  /** How long the server waits for a settlement before redelivering; default 30 s. Long handlers call ctx.working(). */
  ackWaitMs?: number;
  /**
   * How long the streams remember a Nats-Msg-Id to drop a republished duplicate. Default 10 min: longer
   * than a crash plus a Kubernetes restart back-off (capped at 5 min), after which a producer republishes
   * what it could not record as sent; the ids cost memory on the server only for this window. Consumers
   * still de-duplicate by id for anything older.
   */
  duplicateWindowMs?: number;
  /** At shutdown, how long in-flight handlers may finish before their events are handed back; default 10 s. */
  shutdownGraceMs?: number;
  /** Replicas of the MAILBUS and MAILBUS_DLQ streams when they are created or updated; default 1. */
  streamReplicas?: number;
  /**
   * True for a handler's error that means one of mailbus's own dependencies is away (the store, NATS),
   * not that the event failed: such events retry within seconds and are never dead-lettered. Default
   * isBusUnavailable; services add their store's (ServiceRuntimeModule does).
   */
  isOutage?: (error: unknown) => boolean;
}

export interface JetStreamModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  // Method syntax on purpose: its parameters are checked bivariantly, so a factory with typed
  // parameters (config: FetcherConfig) => … is accepted without `any`.
  useFactory(...args: unknown[]): JetStreamModuleOptions | Promise<JetStreamModuleOptions>;
}

export type ResolvedJetStreamOptions = Required<JetStreamModuleOptions>;

export const JETSTREAM_DEFAULTS = { maxDeliver: 5, backoffMs: [1_000, 5_000, 30_000, 120_000], ackWaitMs: 30_000, duplicateWindowMs: 10 * 60_000, shutdownGraceMs: 10_000, streamReplicas: 1 } as const;

// The service name becomes part of consumer names, which may not contain dots, spaces or wildcards.
const SERVICE_NAME = /^[A-Za-z0-9_-]+$/;

const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;

/** Fills in defaults and rejects settings that would make the consumers misbehave. */
export function resolveJetStreamOptions(options: JetStreamModuleOptions): ResolvedJetStreamOptions {
  const resolved: ResolvedJetStreamOptions = {
    connectionName: `mailbus-${options.service}`,
    ...JETSTREAM_DEFAULTS,
    backoffMs: [...JETSTREAM_DEFAULTS.backoffMs],
    isOutage: isBusUnavailable,
    ...withoutUndefined(options),
    servers: options.servers,
    service: options.service,
  };
  const problems: string[] = [];
  if (!resolved.servers?.trim()) problems.push('servers is empty');
  if (!SERVICE_NAME.test(resolved.service ?? '')) problems.push(`service "${resolved.service}" may only contain letters, digits, "-" and "_"`);
  if (!positiveInteger(resolved.maxDeliver)) problems.push('maxDeliver must be a positive integer');
  problems.push(...backoffProblems(resolved.backoffMs));
  if (!(resolved.ackWaitMs >= 1_000)) problems.push('ackWaitMs must be at least 1000');
  if (!(resolved.duplicateWindowMs >= 1_000)) problems.push('duplicateWindowMs must be at least 1000');
  if (!(resolved.shutdownGraceMs >= 0)) problems.push('shutdownGraceMs must not be negative');
  if (!positiveInteger(resolved.streamReplicas) || resolved.streamReplicas > 5) problems.push('streamReplicas must be between 1 and 5');
  if (problems.length > 0) throw new Error(`invalid JetStream options: ${problems.join('; ')}`);
  return resolved;
}

/** Problems with a list of redelivery delays; empty when it is usable. */
export function backoffProblems(backoffMs: readonly number[]): string[] {
  if (!Array.isArray(backoffMs) || backoffMs.length === 0) return ['backoffMs must list at least one delay'];
  return backoffMs.every((delay) => Number.isFinite(delay) && delay >= 0) ? [] : ['backoffMs delays must be non-negative numbers'];
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
