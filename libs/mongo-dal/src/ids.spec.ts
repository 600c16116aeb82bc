import { describe, expect, it } from 'vitest';
import { accountId, newId } from './ids';

describe('ids', () => {
  it('should return 22 url-safe characters when a new id is made', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId()));

    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('should keep the value when a string is branded', () => {
    expect(accountId('acc-1')).toBe('acc-1');
  });

  it('should throw when the value is empty', () => {
    expect(() => accountId('')).toThrow('AccountId must be a non-empty string');
  });
});
