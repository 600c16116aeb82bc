import type { EventDefinition, EventPayload } from '@mailbus/contracts';
import { backoffProblems } from '../jetstream-module.options';
import type { EventContext } from './event-context';

/** Per-handler overrides of the module's consumer settings. */
export interface OnEventOptions {
  /** Deliveries before the event is dead-lettered; default JetStreamModuleOptions.maxDeliver. */
  maxDeliver?: number;
  /** Redelivery delays after the 1st, 2nd, … failure (the last repeats); default JetStreamModuleOptions.backoffMs. */
  backoffMs?: number[];
  /**
   * Events handled at the same time by this replica. Default 1: events are handled one after the
   * other, in stream order (a failed event is retried later, after the ones behind it).
   */
  concurrency?: number;
  /**
   * The consumer's max_ack_pending: events handed out and not yet acknowledged (in flight, or waiting
   * out a nak delay) before the server hands out no more. Default: the server's (1000), or whatever
   * the operator set on the consumer. Set it for a handler whose events may wait out delays in numbers.
   */
  maxAckPending?: number;
}

/** @internal what @OnEvent records on a method. */
export interface OnEventMetadata {
  def: EventDefinition;
  options: OnEventOptions;
}

export const ON_EVENT_METADATA = 'mailbus:jetstream:on-event';

export type EventHandlerMethod<Def extends EventDefinition> = (event: EventPayload<Def>, ctx: EventContext) => Promise<void>;

/**
 * Handles an event from JetStream at least once, through a durable consumer named
 * `<service>__<event>`. The event is acknowledged when the method resolves; when it throws, the event
 * is redelivered with backoff and after maxDeliver attempts lands on the dead-letter stream.
 * Throw PermanentEventError to dead-letter at once, RetryLaterError to come back later.
 * Handlers must be idempotent: an event can arrive more than once.
 * @example
 * @Controller()
 * export class MessageFetchedEventsController {
 *   @OnEvent(Events.messageFetched)
 *   async onMessageFetched(event: MessageFetched, ctx: EventContext): Promise<void> { … }
 * }
 */
export function OnEvent<Def extends EventDefinition>(def: Def, options: OnEventOptions = {}) {
  const problems = [
    ...(options.maxDeliver !== undefined && !(Number.isInteger(options.maxDeliver) && options.maxDeliver > 0) ? ['maxDeliver must be a positive integer'] : []),
    ...(options.backoffMs !== undefined ? backoffProblems(options.backoffMs) : []),
    ...(options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency > 0) ? ['concurrency must be a positive integer'] : []),
    ...(options.maxAckPending !== undefined && !(Number.isInteger(options.maxAckPending) && options.maxAckPending > 0) ? ['maxAckPending must be a positive integer'] : []),
  ];
  if (problems.length > 0) throw new Error(`@OnEvent(${def.name}): ${problems.join('; ')}`);
  return <Method extends EventHandlerMethod<Def>>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<Method>): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') throw new Error(`@OnEvent(${def.name}) belongs on a method`);
    const existing = (Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(ON_EVENT_METADATA, [...existing, { def, options: { ...options } }], method);
  };
}
