import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryLaterError } from '@mailbus/nats-transport';
import { FlakyKvRecords, MemoryKvRecordBuckets, UnopenableKvRecordBuckets } from '../../test/fixtures/memory-kv-records.stub';
import { CONTENDED_RETRY_MS } from './shared-rate-limiter';
import { SendRateLimits, type RateRecordBuckets, type SendRateSettings } from './send-rate-limits';

const admit = (limits: SendRateLimits, accountId: string, host = 'smtp.example.com') => limits.admit({ accountId, host, what: 'test' });
const refusal = async (promise: Promise<void>): Promise<RetryLaterError> => {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RetryLaterError);
  return error as RetryLaterError;
};
const started = async (settings: SendRateSettings, buckets: RateRecordBuckets = new MemoryKvRecordBuckets()): Promise<SendRateLimits> => {
  const sut = new SendRateLimits(settings, buckets);
  await sut.onModuleInit();
  return sut;
};

afterEach(() => {
  vi.useRealTimers();
});

describe(SendRateLimits.name, () => {
  it('should hand the event back with the wait when the account has sent its share, without holding back other accounts', async () => {
    const limits = await started({ perAccountPerMinute: 6, perHostPerMinute: 0 });
    await admit(limits, 'a1');

    const refused = await refusal(admit(limits, 'a1'));

    expect(refused.delayMs).toBeGreaterThan(9_000);
    expect(refused.delayMs).toBeLessThanOrEqual(10_000);
    await expect(admit(limits, 'a2')).resolves.toBeUndefined();
  });

  it('should give the token back when it hands the event back, so the next caller is not pushed further out', async () => {
    const limits = await started({ perAccountPerMinute: 6, perHostPerMinute: 0 });
    await admit(limits, 'a1');
    const first = await refusal(admit(limits, 'a1'));
    const second = await refusal(admit(limits, 'a1'));

    expect(second.delayMs).toBeLessThanOrEqual(first.delayMs);
  });

  it('should give the account token back when only the host refuses, so the account can send to the host later', async () => {
    const limits = await started({ perAccountPerMinute: 6, perHostPerMinute: 6 });
    await admit(limits, 'a1', 'smtp.example.com');
    await refusal(admit(limits, 'a2', 'smtp.example.com'));

    await expect(admit(limits, 'a2', 'smtp.other.example')).resolves.toBeUndefined();
  });

  it("should hand the event back a little later when a limit's shared bucket is too contended to take from, giving the other limit's token back", async () => {
    const records = new FlakyKvRecords();
    records.trouble = { how: 'contended', keys: (key) => key.startsWith('host-'), times: 1 };
    const limits = await started({ perAccountPerMinute: 6, perHostPerMinute: 60 }, new MemoryKvRecordBuckets(records));

    const refused = await refusal(admit(limits, 'a1'));

    expect(refused.delayMs).toBeGreaterThanOrEqual(CONTENDED_RETRY_MS);
    expect(refused.delayMs).toBeLessThanOrEqual(2 * CONTENDED_RETRY_MS);
    expect(refused.message).toMatch(/test: the shared send rate limit of host smtp\.example\.com is being changed by other replicas/);
    await expect(admit(limits, 'a1')).resolves.toBeUndefined();
  });

  it('should limit a host across its accounts, whatever the case of its name', async () => {
    const limits = await started({ perAccountPerMinute: 0, perHostPerMinute: 6 });
    await admit(limits, 'a1', 'SMTP.Example.com');

    await refusal(admit(limits, 'a2', 'smtp.example.com'));
    await expect(admit(limits, 'a2', 'smtp.other.example')).resolves.toBeUndefined();
  });

  it('should limit two replicas sharing the bucket together, not each by itself', async () => {
    const shared = new MemoryKvRecordBuckets();
    const [a, b] = [await started({ perAccountPerMinute: 6, perHostPerMinute: 0 }, shared), await started({ perAccountPerMinute: 6, perHostPerMinute: 0 }, shared)];
    await admit(a, 'a1');

    await refusal(admit(b, 'a1'));
  });

  it('should wait in the handler when the wait is short', async () => {
    vi.useFakeTimers();
    const limits = await started({ perAccountPerMinute: 60, perHostPerMinute: 0 });
    for (let n = 0; n < 6; n += 1) await admit(limits, 'a1');
    let admitted = false;
    const waiting = admit(limits, 'a1').then(() => void (admitted = true));

    await vi.advanceTimersByTimeAsync(900);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    expect(admitted).toBe(true);
  });

  it('should not limit at all, nor open a KV bucket, when both limits are 0', async () => {
    const limits = await started({ perAccountPerMinute: 0, perHostPerMinute: 0 }, new UnopenableKvRecordBuckets());
    for (let n = 0; n < 1_000; n += 1) await admit(limits, 'a1');
  });
});
