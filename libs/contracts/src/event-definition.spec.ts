import { describe, expect, it } from 'vitest';
import { SpamMarkedSchema, defineEvent } from './index';

describe(defineEvent.name, () => {
  it('should put the event under the subject prefix when the name is valid', () => {
    const sut = defineEvent({ name: 'spam.marked', schema: SpamMarkedSchema });
    expect(sut).toEqual({ name: 'spam.marked', subject: 'mailbus.v1.spam.marked', schema: SpamMarkedSchema });
    expect(Object.isFrozen(sut)).toBe(true);
  });

  it.each(['spam', 'spam.*', 'spam.>', 'Spam.Marked', 'spam..marked', 'spam.marked.', 'spam marked.x'])('should throw when the name is %j', (name) => {
    expect(() => defineEvent({ name, schema: SpamMarkedSchema })).toThrow(/invalid event name/);
  });
});
