import { describe, expect, it } from 'vitest';
import { subjectMatchesFilter } from './index';

describe(subjectMatchesFilter.name, () => {
  it.each([
    ['mailbus.v1.message.fetched', 'mailbus.v1.>', true],
    ['mailbus.v1', 'mailbus.v1.>', false],
    ['mailbus.v1.message.fetched', 'mailbus.v1.*', false],
    ['mailbus.v1.message', 'mailbus.v1.*', true],
    ['mailbus.v1.message.fetched', 'mailbus.*.message.fetched', true],
    ['mailbus.v1.message.fetched', 'mailbus.v1.message.fetched', true],
    ['mailbus.v1.message.fetched', 'mailbus.v1.message', false],
    ['mailbus.v1.message', 'mailbus.v1.message.fetched', false],
    ['mailbus.dlq.x.mailbus.v1.spam.moved', 'mailbus.v1.>', false],
  ])('should match %s against %s: %s', (subject, filter, expected) => {
    expect(subjectMatchesFilter({ subject, filter })).toBe(expected);
  });
});
