import { describe, expect, it } from 'vitest';
import { groupForFetch, INLINE_SOURCE_MAX_BYTES, isStreamedGroup } from './fetch-groups.util';

const sized = (sizes: number[]) => sizes.map((size, index) => ({ uid: index + 1, size }));

describe('groupForFetch', () => {
  it('should keep the given order and put each large message in a group of its own', () => {
    const groups = groupForFetch(sized([10, 20, INLINE_SOURCE_MAX_BYTES + 1, 30]));
    expect(groups.map((group) => group.map(({ uid }) => uid))).toEqual([[1, 2], [3], [4]]);
  });

  it('should close a group at 100 messages and at 8 MB', () => {
    expect(groupForFetch(sized(Array(250).fill(1_000))).map((group) => group.length)).toEqual([100, 100, 50]);
    expect(groupForFetch(sized(Array(10).fill(1_000_000))).map((group) => group.length)).toEqual([8, 2]);
  });

  it('should fetch the messages it is told to one at a time', () => {
    expect(groupForFetch(sized([10, 10, 10, 10]), new Set([2, 3])).map((group) => group.map(({ uid }) => uid))).toEqual([[1], [2], [3], [4]]);
  });

  it('should return no groups for no messages', () => {
    expect(groupForFetch([])).toEqual([]);
  });
});

describe('isStreamedGroup', () => {
  it('should stream only a group of one message too large to hold in memory', () => {
    const [small, large, alone] = groupForFetch(sized([10, INLINE_SOURCE_MAX_BYTES + 1, 10]), new Set([3]));

    expect([small, large, alone].map((group) => isStreamedGroup(group!))).toEqual([false, true, false]);
  });
});
