import { describe, expect, it } from 'vitest';
import { CopyCheckBudget } from './relinked-copy.check';

describe(CopyCheckBudget.name, () => {
  it('should take downloads until the run’s message count is spent', () => {
    const budget = new CopyCheckBudget({ messages: 2, bytes: 1_000 });
    expect([10, 10, 10].map((size) => budget.take(size))).toEqual([true, true, false]);
  });

  it('should leave what no longer fits in the run’s bytes for a later run, and still take smaller ones', () => {
    const budget = new CopyCheckBudget({ messages: 10, bytes: 1_000 });
    expect([600, 600, 400, 1].map((size) => budget.take(size))).toEqual([true, false, true, false]);
  });

  it('should take one message larger than the whole byte budget as the run’s first, so that it is checked some day', () => {
    const budget = new CopyCheckBudget({ messages: 10, bytes: 1_000 });
    expect([5_000, 1].map((size) => budget.take(size))).toEqual([true, false]);
  });
});
