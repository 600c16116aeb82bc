import type { LoggerService } from '@nestjs/common';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { deadLetterSubject } from '@mailbus/contracts';
import { PermanentEventError } from '../errors/permanent-event.error';
import { RetryLaterError } from '../errors/retry-later.error';
import { UndecodableEventError } from '../errors/undecodable-event.error';
import { DeadLetterHeaders, MSG_ID_HEADER } from '../jetstream.constants';
import type { HandledOutcome } from '../observer/jetstream.observer';
import { publishWithRetry } from '../publisher/publish-with-retry.util';

// The single place where the outcome of a handler becomes a JetStream settlement:
//   success                              → ack (confirmed with ackAck)
//   RetryLaterError(delay)               → nak(delay), not logged as a failure
//   the store or NATS unavailable        → nak(backoff, at most 5 s), never dead-lettered (isOutage)
//   PermanentEventError, undecodable     → dead-letter at once
//   any other error, attempts left       → nak(backoff + jitter)
//   any other error, last attempt        → dead-letter
//   dead-letter = publish to mailbus.dlq.<durable>.<subject>, await its PubAck, then ack; if that
//   publish fails the event is nak'ed instead, so it is never acknowledged without a copy somewhere.
// The server's own max_deliver is unlimited: the decision to give up is made here, so a crash during
// the last attempt leads to one more delivery rather than to an event stranded on the server.

export type HandlerResult = { ok: true } | { ok: false; error: unknown };

export interface RetryPolicy {
  maxDeliver: number;
  backoffMs: readonly number[];
  /** True for errors of mailbus's own dependencies being away (see JetStreamModuleOptions.isOutage). */
  isOutage?: (error: unknown) => boolean;
}

/** Why an event goes back: the handler failed, asked for it (RetryLaterError), or a dependency is away. */
export type RetryReason = 'failure' | 'requested' | 'outage';

export type SettlementDecision = { action: 'ack' } | { action: 'retry'; delayMs: number; reason: RetryReason } | { action: 'dead_letter'; reason: 'permanent' | 'poison' | 'exhausted' };

/** Up to this fraction of the delay is added at random, so that events failing together do not return together. */
const RETRY_JITTER = 0.2;
/**
 * The longest wait of an event that failed because the store or NATS is away. The backoff's later steps
 * (30 s, 2 min) are for handlers that fail on their own; after an outage everything should flow again
 * within seconds, not minutes, and an outage longer than the backoff must not exhaust the deliveries.
 */
export const OUTAGE_RETRY_MAX_MS = 5_000;
/** Mailbus-Error is one line of at most this many characters. */
const MAX_ERROR_HEADER_LENGTH = 500;

/** Delay before the next delivery after the `deliveryCount`-th one failed; the last configured delay repeats. */
export function retryDelayMs({ deliveryCount, backoffMs, random = Math.random }: { deliveryCount: number; backoffMs: readonly number[]; random?: () => number }): number {
  const base = backoffMs[Math.min(Math.max(deliveryCount, 1), backoffMs.length) - 1] ?? 0;
  return Math.round(base + base * RETRY_JITTER * random());
}

/** What to do with a delivery, given how its handler ended. Pure. */
export function decideSettlement({
  result,
  deliveryCount,
  policy,
  random = Math.random,
}: {
  result: HandlerResult;
  deliveryCount: number;
  policy: RetryPolicy;
  random?: () => number;
}): SettlementDecision {
  if (result.ok) return { action: 'ack' };
  const { error } = result;
  if (error instanceof UndecodableEventError) return { action: 'dead_letter', reason: 'poison' };
  if (error instanceof PermanentEventError) return { action: 'dead_letter', reason: 'permanent' };
  if (error instanceof RetryLaterError) return { action: 'retry', delayMs: Math.max(0, error.delayMs), reason: 'requested' };
  const delayMs = retryDelayMs({ deliveryCount, backoffMs: policy.backoffMs, random });
  // Not counted against maxDeliver: the event is fine, the outage is not its fault.
  if (policy.isOutage?.(error)) return { action: 'retry', delayMs: Math.min(delayMs, OUTAGE_RETRY_MAX_MS), reason: 'outage' };
  if (deliveryCount >= policy.maxDeliver) return { action: 'dead_letter', reason: 'exhausted' };
  return { action: 'retry', delayMs, reason: 'failure' };
}

/** The error as one header-safe line and its class name. */
export function describeError(error: unknown): { message: string; errorClass: string } {
  const errorClass = error instanceof Error ? (error.name && error.name !== 'Error' ? error.name : error.constructor.name) : typeof error;
  const raw = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim() || errorClass;
  const message = raw.length > MAX_ERROR_HEADER_LENGTH ? `${raw.slice(0, MAX_ERROR_HEADER_LENGTH - 1)}…` : raw;
  return { message, errorClass };
}

/** Headers of the dead-letter copy: the original application headers plus why and where it failed. */
export function deadLetterHeaders({ msg, durable, error }: { msg: JsMsg; durable: string; error: unknown }): MsgHdrs {
  const result = natsHeaders();
  // Nats-* headers steer JetStream (de-duplication, expectations) and would misfire on the DLQ stream.
  for (const key of msg.headers?.keys() ?? []) {
    if (!key.toLowerCase().startsWith('nats-')) for (const value of msg.headers?.values(key) ?? []) result.append(key, value);
  }
  const { message, errorClass } = describeError(error);
  result.set(DeadLetterHeaders.error, message);
  result.set(DeadLetterHeaders.errorClass, errorClass);
  result.set(DeadLetterHeaders.originalSubject, msg.subject);
  result.set(DeadLetterHeaders.consumer, durable);
  result.set(DeadLetterHeaders.deliveryCount, String(msg.info.deliveryCount));
  const originalMsgId = msg.headers?.get(MSG_ID_HEADER);
  if (originalMsgId) result.set(DeadLetterHeaders.originalMsgId, originalMsgId);
  return result;
}

type SettlementLogger = Pick<LoggerService, 'log' | 'warn' | 'error' | 'debug'>;

/** Carries out settlement decisions for one durable consumer. */
export class Settlement {
  constructor(
    private readonly deps: {
      js: JetStreamClient;
      durable: string;
      event: string;
      logger: SettlementLogger;
      /** Re-creates the streams when a dead-letter publish finds nobody listening. */
      recoverStreams: () => Promise<void>;
    },
  ) {}

  /**
   * Settles one delivery. `isReleased` turns true when shutdown has already handed the event back
   * (nak): a handler that finishes afterwards must not settle it a second time. Returns undefined then.
   */
  async settle({ msg, result, policy, isReleased }: { msg: JsMsg; result: HandlerResult; policy: RetryPolicy; isReleased: () => boolean }): Promise<HandledOutcome | undefined> {
    if (isReleased()) return undefined;
    const deliveryCount = msg.info.deliveryCount;
    const decision = decideSettlement({ result, deliveryCount, policy });
    const error = result.ok ? undefined : result.error;
    switch (decision.action) {
      case 'ack':
        await this.ack(msg);
        return 'ack';
      case 'retry':
        msg.nak(decision.delayMs);
        this.logRetry({ msg, reason: decision.reason, delayMs: decision.delayMs, error, policy });
        return 'retry';
      case 'dead_letter':
        return this.deadLetter({ msg, error, reason: decision.reason, policy, isReleased });
    }
  }

  private async deadLetter({
    msg,
    error,
    reason,
    policy,
    isReleased,
  }: {
    msg: JsMsg;
    error: unknown;
    reason: string;
    policy: RetryPolicy;
    isReleased: () => boolean;
  }): Promise<HandledOutcome | undefined> {
    const { js, durable } = this.deps;
    try {
      await publishWithRetry({
        js,
        subject: deadLetterSubject({ consumer: durable, subject: msg.subject }),
        data: msg.data,
        // One dead-letter copy per stored event and consumer, however often this runs for it.
        msgId: `${durable}:${msg.seq}`,
        headers: deadLetterHeaders({ msg, durable, error }),
        recover: this.deps.recoverStreams,
      });
    } catch (publishError) {
      if (isReleased()) return undefined;
      const delayMs = retryDelayMs({ deliveryCount: msg.info.deliveryCount, backoffMs: policy.backoffMs });
      msg.nak(delayMs);
      this.deps.logger.error({
        msg: `${this.deps.event} could not be dead-lettered; it stays on the stream and is retried`,
        ...this.fields(msg),
        retryInMs: delayMs,
        ...this.errorFields(error),
        deadLetterError: describeError(publishError).message,
      });
      return 'retry';
    }
    if (isReleased()) return 'dead_letter';
    await this.ack(msg);
    this.deps.logger.error({ msg: `${this.deps.event} dead-lettered (${reason})`, ...this.fields(msg), maxDeliver: policy.maxDeliver, ...this.errorFields(error) });
    return 'dead_letter';
  }

  private logRetry({ msg, reason, delayMs, error, policy }: { msg: JsMsg; reason: RetryReason; delayMs: number; error: unknown; policy: RetryPolicy }): void {
    const fields = { ...this.fields(msg), retryInMs: delayMs };
    switch (reason) {
      case 'failure':
        this.deps.logger.warn({ msg: `${this.deps.event} handler failed; retrying`, ...fields, maxDeliver: policy.maxDeliver, ...this.errorFields(error) });
        break;
      case 'outage':
        this.deps.logger.warn({ msg: `${this.deps.event} handler found the store or NATS unavailable; retrying until it is back`, ...fields, ...this.errorFields(error) });
        break;
      case 'requested':
        this.deps.logger.debug?.({ msg: `${this.deps.event} handler asked to retry later`, ...fields, reason: describeError(error).message });
    }
  }

  private async ack(msg: JsMsg): Promise<void> {
    try {
      await msg.ackAck();
    } catch (error) {
      // The server may or may not have recorded it; at worst the event comes again, and handlers are idempotent.
      this.deps.logger.warn({ msg: `${this.deps.event} ack not confirmed; it may be redelivered`, ...this.fields(msg), error: describeError(error).message });
    }
  }

  private fields(msg: JsMsg): Record<string, unknown> {
    return { consumer: this.deps.durable, subject: msg.subject, msgId: msg.headers?.get(MSG_ID_HEADER) ?? '', deliveryCount: msg.info.deliveryCount, streamSeq: msg.seq };
  }

  private errorFields(error: unknown): Record<string, unknown> {
    const { message, errorClass } = describeError(error);
    return { error: message, errorClass };
  }
}
