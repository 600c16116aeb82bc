import { describe, expect, it } from 'vitest';
import { PermanentEventError } from '../errors/permanent-event.error';
import { RetryLaterError } from '../errors/retry-later.error';
import { UndecodableEventError } from '../errors/undecodable-event.error';
import { OUTAGE_RETRY_MAX_MS, decideSettlement, describeError, retryDelayMs } from './settlement';

const policy = { maxDeliver: 3, backoffMs: [100, 1_000] };
const noJitter = (): number => 0;

describe(decideSettlement.name, () => {
  it('should ack when the handler succeeded', () => {
    expect(decideSettlement({ result: { ok: true }, deliveryCount: 7, policy })).toEqual({ action: 'ack' });
  });

  it('should retry with the backoff of the attempt when a failure leaves attempts', () => {
    const failed = { ok: false as const, error: new Error('mongo down') };
    expect(decideSettlement({ result: failed, deliveryCount: 1, policy, random: noJitter })).toEqual({ action: 'retry', delayMs: 100, reason: 'failure' });
    expect(decideSettlement({ result: failed, deliveryCount: 2, policy, random: noJitter })).toEqual({ action: 'retry', delayMs: 1_000, reason: 'failure' });
  });

  it('should dead-letter when the last allowed delivery failed, also after extra deliveries', () => {
    const failed = { ok: false as const, error: new Error('mongo down') };
    expect(decideSettlement({ result: failed, deliveryCount: 3, policy })).toEqual({ action: 'dead_letter', reason: 'exhausted' });
    expect(decideSettlement({ result: failed, deliveryCount: 9, policy })).toEqual({ action: 'dead_letter', reason: 'exhausted' });
  });

  it('should dead-letter at once when the error is permanent or the payload undecodable', () => {
    expect(decideSettlement({ result: { ok: false, error: new PermanentEventError('no such account') }, deliveryCount: 1, policy })).toEqual({ action: 'dead_letter', reason: 'permanent' });
    expect(decideSettlement({ result: { ok: false, error: new UndecodableEventError({ subject: 's', cause: new Error('premature EOF') }) }, deliveryCount: 1, policy })).toEqual({
      action: 'dead_letter',
      reason: 'poison',
    });
  });

  it('should retry after the requested delay without counting a failure when the handler asks to retry later', () => {
    expect(decideSettlement({ result: { ok: false, error: new RetryLaterError(2_500) }, deliveryCount: 5, policy })).toEqual({ action: 'retry', delayMs: 2_500, reason: 'requested' });
  });
});

describe(`${decideSettlement.name} during an outage`, () => {
  const outagePolicy = { ...policy, isOutage: (error: unknown) => error instanceof Error && error.message === 'store unreachable' };
  const outage = { ok: false as const, error: new Error('store unreachable') };

  it('should retry within OUTAGE_RETRY_MAX_MS and never dead-letter, however many deliveries failed', () => {
    expect(decideSettlement({ result: outage, deliveryCount: 1, policy: outagePolicy, random: noJitter })).toEqual({ action: 'retry', delayMs: 100, reason: 'outage' });
    expect(decideSettlement({ result: outage, deliveryCount: 40, policy: { ...outagePolicy, backoffMs: [100, 120_000] }, random: noJitter })).toEqual({ action: 'retry', delayMs: OUTAGE_RETRY_MAX_MS, reason: 'outage' });
  });

  it('should treat other failures as before, and permanent errors as permanent', () => {
    expect(decideSettlement({ result: { ok: false, error: new Error('bug') }, deliveryCount: 3, policy: outagePolicy })).toEqual({ action: 'dead_letter', reason: 'exhausted' });
    expect(decideSettlement({ result: { ok: false, error: new PermanentEventError('store unreachable') }, deliveryCount: 1, policy: outagePolicy })).toEqual({ action: 'dead_letter', reason: 'permanent' });
  });
});

describe(retryDelayMs.name, () => {
  it('should repeat the last delay and add at most a fifth as jitter', () => {
    expect(retryDelayMs({ deliveryCount: 10, backoffMs: [100, 1_000], random: noJitter })).toBe(1_000);
    expect(retryDelayMs({ deliveryCount: 10, backoffMs: [100, 1_000], random: () => 1 })).toBe(1_200);
  });
});

describe(describeError.name, () => {
  it('should flatten the message to one truncated line and name the class when the error is multi-line and long', () => {
    class MailboxLockedError extends Error {}
    const { message, errorClass } = describeError(new MailboxLockedError(`line one\r\nline two ${'x'.repeat(1_000)}`));
    expect(errorClass).toBe('MailboxLockedError');
    expect(message.startsWith('line one line two x')).toBe(true);
    expect(message).toHaveLength(500);
    expect(message).not.toMatch(/[\r\n]/);
  });

  it('should describe a thrown non-error by its type', () => {
    expect(describeError('plain string')).toEqual({ message: 'plain string', errorClass: 'string' });
  });
});
