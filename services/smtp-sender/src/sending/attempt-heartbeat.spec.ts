import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttemptLease } from '../outbox/outbox-attempt-leases';
import { AttemptHeartbeat } from './attempt-heartbeat';

const HEARTBEAT_MS = 10_000;

/** A lease whose renewals answer from `answers` in turn (true: still held, false: taken by another handler). */
function leaseAnswering(...answers: Array<boolean | Error>) {
  const lease = {
    renewals: 0,
    retakeAnswer: true,
    renew: vi.fn(async () => {
      lease.renewals += 1;
      const answer = answers.shift() ?? true;
      if (answer instanceof Error) throw answer;
      return answer;
    }),
    retake: vi.fn(async () => {
      return lease.retakeAnswer;
    }),
  };
  return lease satisfies AttemptLease;
}

describe(AttemptHeartbeat.name, () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should renew the lease and restart the event’s ack wait on every beat', async () => {
    const lease = leaseAnswering();
    const ctx = { working: vi.fn() };
    const heartbeat = new AttemptHeartbeat({ lease, ctx });

    await vi.advanceTimersByTimeAsync(2 * HEARTBEAT_MS);
    await heartbeat.stop();

    expect(lease.renewals).toBe(2);
    expect(ctx.working).toHaveBeenCalledTimes(2);
    expect(heartbeat.isLost).toBe(false);
  });

  it('should remember a renewal that found the lease taken, and confirm nothing after it', async () => {
    const lease = leaseAnswering(false);
    const heartbeat = new AttemptHeartbeat({ lease });

    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);

    expect(heartbeat.isLost).toBe(true);
    await expect(heartbeat.confirm()).resolves.toBe(false);
    expect(lease.renewals).toBe(1);
    await heartbeat.stop();
  });

  it('should confirm the lease by renewing it now, so that a loss since the last beat is found before anything irreversible', async () => {
    const lease = leaseAnswering(false);
    const heartbeat = new AttemptHeartbeat({ lease });

    await expect(heartbeat.confirm()).resolves.toBe(false);

    expect(lease.renewals).toBe(1);
    expect(heartbeat.isLost).toBe(true);
    await heartbeat.stop();
  });

  it('should not count a renewal that failed for NATS as a loss, and let confirm() fail rather than guess', async () => {
    const lease = leaseAnswering(new Error('CONNECTION_CLOSED'), new Error('CONNECTION_CLOSED'), true);
    const heartbeat = new AttemptHeartbeat({ lease });

    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(heartbeat.isLost).toBe(false);
    await expect(heartbeat.confirm()).rejects.toThrow('CONNECTION_CLOSED');
    await expect(heartbeat.confirm()).resolves.toBe(true);
    await heartbeat.stop();
  });

  it('should hold the lease again after a retake, and stay lost while another handler holds it', async () => {
    const lease = leaseAnswering(false);
    const heartbeat = new AttemptHeartbeat({ lease });
    await heartbeat.confirm();

    lease.retakeAnswer = false;
    await expect(heartbeat.retake()).resolves.toBe(false);
    expect(heartbeat.isLost).toBe(true);
    lease.retakeAnswer = true;
    await expect(heartbeat.retake()).resolves.toBe(true);

    expect(heartbeat.isLost).toBe(false);
    await expect(heartbeat.confirm()).resolves.toBe(true);
    await heartbeat.stop();
  });

  it('should run renewals one at a time, and stop() should wait for the one in flight', async () => {
    let finishRenewal!: (held: boolean) => void;
    let inFlight = 0;
    let mostInFlight = 0;
    const lease: AttemptLease = {
      renew: () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        return new Promise<boolean>((resolve) => {
          finishRenewal = (held) => {
            inFlight -= 1;
            resolve(held);
          };
        });
      },
      retake: async () => true,
    };
    const heartbeat = new AttemptHeartbeat({ lease });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    const confirmed = heartbeat.confirm();
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));

    await vi.advanceTimersByTimeAsync(0);
    expect(mostInFlight).toBe(1);
    finishRenewal(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finishRenewal(true);
    await stopping;

    await expect(confirmed).resolves.toBe(true);
    expect(mostInFlight).toBe(1);
  });
});
