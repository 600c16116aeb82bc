import { describe, expect, it } from 'vitest';
import type { IndexSpec } from './index-spec';
import { findIndexConflicts } from './index-conflicts.util';

const declared: IndexSpec = { collection: 'notes', key: { accountId: 1, key: 1 }, options: { name: 'account_key_unique', unique: true }, purpose: 'lookup by key' };

describe(findIndexConflicts.name, () => {
  it('should report nothing when the existing index matches the declaration', () => {
    expect(findIndexConflicts({ declared: [declared], existing: [{ name: 'account_key_unique', key: { accountId: 1, key: 1 }, unique: true }] })).toEqual([]);
  });

  it('should name both definitions when an index of the same name has other options', () => {
    const [conflict] = findIndexConflicts({ declared: [declared], existing: [{ name: 'account_key_unique', key: { accountId: 1, key: 1 } }] });

    expect(conflict).toContain('exists as { key {"accountId":1,"key":1} } but is declared as { key {"accountId":1,"key":1}, unique }');
  });

  it('should report the other name when the same key is indexed under another name', () => {
    const [conflict] = findIndexConflicts({ declared: [declared], existing: [{ name: 'accountId_1_key_1', key: { accountId: 1, key: 1 }, unique: true }] });

    expect(conflict).toContain('has the key of the existing index "accountId_1_key_1"');
  });

  it('should treat key order as significant when comparing keys', () => {
    expect(findIndexConflicts({ declared: [declared], existing: [{ name: 'other', key: { key: 1, accountId: 1 } }] })).toEqual([]);
  });
});
