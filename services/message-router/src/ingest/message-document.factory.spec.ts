import { describe, expect, it } from 'vitest';
import { identityOf } from './message-document.factory';

describe(identityOf.name, () => {
  it('should give the same identity to a Message-ID with and without angle brackets', () => {
    const parsed = identityOf({ messageIdHeader: '<m1@example.com>', sha256: 'a' });
    expect(identityOf({ messageIdHeader: 'm1@example.com', sha256: 'b' })).toBe(parsed);
    expect(identityOf({ messageIdHeader: ' <m1@example.com> ', sha256: 'c' })).toBe(parsed);
    expect(parsed).toBe('mid:<m1@example.com>');
  });

  it('should fall back to the content hash without a Message-ID, and keep case (RFC 5322)', () => {
    expect(identityOf({ sha256: 'abc' })).toBe('sha256:abc');
    expect(identityOf({ messageIdHeader: '  ', sha256: 'abc' })).toBe('sha256:abc');
    expect(identityOf({ messageIdHeader: '<M1@example.com>', sha256: 'a' })).not.toBe(identityOf({ messageIdHeader: '<m1@example.com>', sha256: 'a' }));
  });
});
