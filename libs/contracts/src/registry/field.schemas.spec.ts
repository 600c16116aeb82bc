import { describe, expect, it } from 'vitest';
import { emailAddressField, recipientAddressField } from './field.schemas';

describe('recipientAddressField', () => {
  it.each(['anna@example.com', ' anna@müller.de ', '@example.com', '*@example.com', '@xn--mller-kva.de'])('should accept %j', (value) => {
    expect(recipientAddressField.safeParse(value).success).toBe(true);
  });

  it.each(['@', 'anna', 'anna@', 'Anna <anna@example.com>', '<@example.com>', 'a@b@example.com', '@exa mple.com', 'a,b@example.com'])('should refuse %j', (value) => {
    expect(recipientAddressField.safeParse(value).success).toBe(false);
  });
});

describe('emailAddressField', () => {
  // `*@example.com` stays a (legal, if odd) plain address here: `*` is atext in RFC 5322.
  it('should refuse the catch-all @example.com, which no account or sender can use', () => {
    expect(emailAddressField.safeParse('@example.com').success).toBe(false);
  });
});
