import { describe, expect, it } from 'vitest';
import { bracketedMessageId, sameMessageId } from './message-id.util';

describe(bracketedMessageId.name, () => {
  it('should add the angle brackets once', () => {
    expect(bracketedMessageId('abc@example.com')).toBe('<abc@example.com>');
    expect(bracketedMessageId(' <abc@example.com> ')).toBe('<abc@example.com>');
  });
});

describe(sameMessageId.name, () => {
  it('should ignore brackets but not case or a missing id', () => {
    expect(sameMessageId('<a@b>', 'a@b')).toBe(true);
    expect(sameMessageId('<A@b>', 'a@b')).toBe(false);
    expect(sameMessageId(undefined, 'a@b')).toBe(false);
  });
});
