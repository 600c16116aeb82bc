import { describe, expect, it } from 'vitest';
import { normalizeSubject, threadIdFor } from './thread-id.util';

describe(threadIdFor.name, () => {
  const root = { messageIdHeader: '<root@example.com>', references: [], subject: 'Angebot' };

  it('should put a reply into the thread of the References root', () => {
    const reply = { messageIdHeader: '<r2@x>', inReplyTo: '<r1@x>', references: ['<root@example.com>', '<r1@x>'], subject: 'AW: Angebot' };
    expect(threadIdFor(reply)).toBe(threadIdFor(root));
  });

  it('should use In-Reply-To when References is missing', () => {
    expect(threadIdFor({ messageIdHeader: '<r1@x>', inReplyTo: '< root@example.com >', references: [], subject: '' })).toBe(threadIdFor(root));
  });

  it('should be deterministic and 32 hex characters', () => {
    expect(threadIdFor(root)).toBe(threadIdFor({ ...root }));
    expect(threadIdFor(root)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('should fall back to the normalised subject when the message has no ids', () => {
    expect(threadIdFor({ references: [], subject: 'Re: [team] Fwd: Budget  2025' })).toBe(threadIdFor({ references: [], subject: 'budget 2025' }));
    expect(threadIdFor({ references: [], subject: 'budget 2025' })).not.toBe(threadIdFor({ references: [], subject: 'budget 2026' }));
  });

  it('should not confuse a subject with a message id of the same text', () => {
    expect(threadIdFor({ references: [], subject: 'a@x' })).not.toBe(threadIdFor({ messageIdHeader: '<a@x>', references: [], subject: '' }));
  });

  it('should use the fallback key when there is neither an id nor a subject', () => {
    expect(threadIdFor({ references: [], subject: '' }, { fallbackKey: 'm1' })).not.toBe(threadIdFor({ references: [], subject: '' }, { fallbackKey: 'm2' }));
  });
});

describe(normalizeSubject.name, () => {
  it.each([
    ['Re: Re: hello', 'hello'],
    ['AW: WG: Termin', 'termin'],
    ['Re[2]: x', 'x'],
    ['[list] Re: y', 'y'],
    ['  Spaced   out ', 'spaced out'],
  ])('should turn %j into %j', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });
});
