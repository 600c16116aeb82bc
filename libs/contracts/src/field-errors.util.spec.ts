import { describe, expect, it } from 'vitest';
import { createAccountSchema } from './registry';
import { describeFieldErrors, fieldErrorsFromZod } from './field-errors.util';

describe('fieldErrorsFromZod', () => {
  it('should name each bad field by its dotted path', () => {
    const result = createAccountSchema.safeParse({ name: 'Sales', email: 'not-an-address', owners: [], receive: { protocol: 'nntp', host: 'mail.example.com', port: 70000, username: 'sales' } });
    expect(result.success).toBe(false);
    const fields = fieldErrorsFromZod(result.error!);
    expect(fields.map(({ path }) => path).sort()).toEqual(['email', 'owners', 'receive.port', 'receive.protocol']);
    expect(describeFieldErrors(fields)).toContain('owners: needs at least one owner');
  });

  it('should report unknown keys at the object that has them', () => {
    const result = createAccountSchema.safeParse({ name: 'Sales', email: 'sales@example.com', owners: ['u1'], recieve: {} });
    expect(fieldErrorsFromZod(result.error!)).toEqual([{ path: '(body)', message: expect.stringContaining("'recieve'") }]);
  });
});
