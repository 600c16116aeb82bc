import { describe, expect, it } from 'vitest';
import { followUpId } from './follow-up-id.util';

describe(followUpId.name, () => {
  it('should name the first follow-up after the original and the attempt that was deferred', () => {
    expect(followUpId({ _id: 'Xq3kZ9aBcDeFgHiJkLmNoP', attempts: 1 })).toBe('Xq3kZ9aBcDeFgHiJkLmNoP-r1');
  });

  it('should keep ids bounded and distinct when every follow-up is deferred again', () => {
    const original = 'Xq3kZ9aBcDeFgHiJkLmNoP';
    const ids: string[] = [];
    let item: { _id: string; retryOf?: string; attempts: number } = { _id: original, attempts: 1 };
    // Each follow-up inherits the attempts so far and is deferred again on its next attempt, for as long as a day of retries allows.
    for (let level = 0; level < 40; level++) {
      const id = followUpId(item);
      ids.push(id);
      item = { _id: id, retryOf: item.retryOf ?? item._id, attempts: item.attempts + 1 + (level % 3) };
    }

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith(`${original}-r`) && id.length <= 64)).toBe(true);
    expect(ids.at(-1)).toMatch(/^Xq3kZ9aBcDeFgHiJkLmNoP-r\d+$/);
  });
});
