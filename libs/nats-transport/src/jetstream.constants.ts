/** Resolved JetStreamModuleOptions (internal). */
export const JETSTREAM_MODULE_OPTIONS = Symbol('JETSTREAM_MODULE_OPTIONS');

/**
 * The process's one NatsConnection, e.g. for NATS KV leases. Closed by the module at shutdown:
 * never drain or close it yourself.
 * @example constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
 */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/**
 * Optional provider of a JetStreamObserver (metrics). Without one, nothing is observed.
 * @example { provide: JETSTREAM_OBSERVER, useExisting: JetStreamMetricsObserver }
 */
export const JETSTREAM_OBSERVER = Symbol('JETSTREAM_OBSERVER');

/** Headers set on a dead-lettered event, for operators and replay tools. */
export const DeadLetterHeaders = {
  error: 'Mailbus-Error',
  errorClass: 'Mailbus-Error-Class',
  originalSubject: 'Mailbus-Original-Subject',
  consumer: 'Mailbus-Consumer',
  deliveryCount: 'Mailbus-Delivery-Count',
  originalMsgId: 'Mailbus-Original-Msg-Id',
} as const;

/** JetStream's de-duplication header. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
