import { describe, expect, it } from 'vitest';
import { vectorMatchingProblems } from './promql-vector-matching.util';

describe(vectorMatchingProblems.name, () => {
  it.each([
    ['a per-class sum against a total, one-to-one', 'sum by (class) (rate(a[10m])) / clamp_min(sum(rate(b[10m])), 0.001) > 0.5', 'matched on {class} and {}'],
    ['sides grouped by different labels', 'sum by (service) (a) / sum by (event) (b)', 'matched on {service} and {event}'],
    ['on() leaving the many side without group_left', 'sum by (a, b) (x) / on (a) sum by (a) (y)', 'needs group_left'],
    ['group_left with a one side that is not unique', 'sum by (a) (x) / on () group_left sum by (b) (y)', 'the right side has labels {b}'],
    ['group_right with a one side that is not unique', 'sum by (a) (x) / on () group_right sum by (b) (y)', 'the left side has labels {a}'],
    ['and between a per-class vector and a total', 'sum by (class) (a) > 1 and sum(b) > 0', 'matched on {class} and {}'],
    ['a mismatch inside a function argument', 'clamp_min(sum by (class) (a) / sum(b), 0)', 'matched on {class} and {}'],
  ])('should flag %s', (_case, expr, problem) => {
    expect(vectorMatchingProblems(expr)).toEqual([expect.stringContaining(problem)]);
  });

  it.each([
    ['ignoring(class) group_left against a total', 'sum by (class) (rate(a[10m])) / ignoring (class) group_left clamp_min(sum(rate(b[10m])), 0.001) > 0.5'],
    ['on() group_left against a total', 'sum by (class) (a) / on () group_left sum(b)'],
    ['totals on both sides', 'max(a{state="error"}) / clamp_min(sum(max by (state) (a)), 1) > 0.1'],
    ['the same grouping on both sides', 'sum by (service, event) (rate(a[10m])) / clamp_min(sum by (service, event) (rate(b[10m])), 0.001) > 0.25'],
    ['and between totals', 'max(a) > 600 and max(b) > 0'],
    ['or between different groupings (a union)', 'sum by (a) (x) or sum(y)'],
    ['series whose labels the expression does not fix', 'rate(a[5m]) / rate(b[5m])'],
    ['histogram_quantile, which drops le', 'histogram_quantile(0.99, sum by (le, service) (rate(a_bucket[5m]))) > on (service) group_left max by (service) (b)'],
    ['scalars and vector()', 'sum by (a) (x) * 100 > scalar(sum(y)) or vector(0)'],
  ])('should accept %s', (_case, expr) => {
    expect(vectorMatchingProblems(expr)).toEqual([]);
  });
});
