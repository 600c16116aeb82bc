import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { untilRecorded } from './until-recorded.util';

const storeAway = () => new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017');

/** A write that fails with `errors` in turn, then answers 'recorded'. */
function writeFailing(errors: Error[]): { write: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    write: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'recorded';
    },
    calls: () => calls,
  };
}

describe(untilRecorded.name, () => {
  it('should try again while the store is away, 0.5 s doubling, until the write is in', async () => {
    const { write, calls } = writeFailing([storeAway(), storeAway(), storeAway()]);
    const slept: number[] = [];

    expect(await untilRecorded(write, { sleep: async (ms) => void slept.push(ms) })).toBe('recorded');
    expect(calls()).toBe(4);
    expect(slept).toEqual([500, 1_000, 2_000]);
  });

  it('should fail at once on an error a retry cannot fix', async () => {
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key', code: 11000 });
    const { write, calls } = writeFailing([duplicate]);

    await expect(untilRecorded(write, { sleep: async () => undefined })).rejects.toBe(duplicate);
    expect(calls()).toBe(1);
  });

  it('should give up when the outage outlasts its patience', async () => {
    const { write, calls } = writeFailing(Array.from({ length: 10 }, storeAway));

    await expect(untilRecorded(write, { patienceMs: 1_200, sleep: async () => undefined })).rejects.toBeInstanceOf(MongoNetworkError);
    expect(calls()).toBe(2);
  });
});
