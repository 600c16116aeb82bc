export { JetStreamModule } from './jetstream.module';
export type { JetStreamModuleOptions, JetStreamModuleAsyncOptions } from './jetstream-module.options';
export { EventPublisher, type PublishResult } from './publisher/event.publisher';
export { PendingPublishSweeper, type PendingPublishSweeperOptions } from './publisher/pending-publish.sweeper';
export { OnEvent, type OnEventOptions } from './consumers/on-event.decorator';
export type { EventContext } from './consumers/event-context';
export { PermanentEventError } from './errors/permanent-event.error';
export { RetryLaterError } from './errors/retry-later.error';
export { isBusError, isBusUnavailable } from './errors/bus-error.util';
export { rpcConnectionOptions } from './connection/rpc-connection-options';
export { LeaseBuckets } from './leases/lease-buckets';
export { KvLeases, leaseKey, type KvLease } from './leases/kv-leases';
export { HostConnectionSlots, MAX_SLOT_LEASE_MS, type HostSlot } from './leases/host-connection-slots';
export { ConsumerBacklogProvider, type ConsumerBacklog } from './consumers/consumer-backlog.provider';
export { JetStreamHealthIndicator, type JetStreamHealthResult } from './health/jetstream-health.indicator';
export { JETSTREAM_OBSERVER, NATS_CONNECTION, DeadLetterHeaders } from './jetstream.constants';
export type { JetStreamObserver, HandledOutcome } from './observer/jetstream.observer';
// Types of the underlying client, so that a service injecting NATS_CONNECTION needs no @nats-io import of its own.
export type { NatsConnection } from '@nats-io/nats-core';
