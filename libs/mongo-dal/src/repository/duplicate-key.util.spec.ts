import { describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { isDuplicateKeyError } from './duplicate-key.util';

describe(isDuplicateKeyError.name, () => {
  it('should be true when the server answered E11000', () => {
    expect(isDuplicateKeyError(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' }))).toBe(true);
  });

  it('should be true when one write of a bulk write hit a unique index', () => {
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }] })).toBe(true);
  });

  it('should be false when the error is of another kind', () => {
    expect(isDuplicateKeyError(new MongoServerError({ code: 50, errmsg: 'operation exceeded time limit' }))).toBe(false);
    expect(isDuplicateKeyError(new Error('boom'))).toBe(false);
    expect(isDuplicateKeyError(undefined)).toBe(false);
  });
});
