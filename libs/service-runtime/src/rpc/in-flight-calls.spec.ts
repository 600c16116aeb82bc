import { afterEach, describe, expect, it, vi } from 'vitest';
import { InFlightCalls } from './in-flight-calls';

describe(InFlightCalls.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should be settled at once when no call runs', async () => {
    expect(await new InFlightCalls().settled({ deadline: Date.now() })).toBe(true);
  });

  it('should settle when the last running call ends, counting each call once', async () => {
    const sut = new InFlightCalls();
    const first = sut.begin();
    const second = sut.begin();
    let result: boolean | undefined;
    const settled = sut.settled({ deadline: Date.now() + 60_000 }).then((value) => (result = value));
    first();
    first();
    await Promise.resolve();
    expect({ running: sut.running, result }).toEqual({ running: 1, result: undefined });
    second();
    expect(await settled).toBe(true);
    expect(sut.running).toBe(0);
  });

  it('should give up at the deadline while a call still runs', async () => {
    vi.useFakeTimers();
    const sut = new InFlightCalls();
    sut.begin();
    const settled = sut.settled({ deadline: Date.now() + 5_000 });
    await vi.advanceTimersByTimeAsync(4_999);
    let result: boolean | undefined;
    void settled.then((value) => (result = value));
    await Promise.resolve();
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled).toBe(false);
    expect(sut.running).toBe(1);
  });
});
