import { describe, expect, it } from 'vitest';
import { MessageParseError } from '@mailbus/mime';
import { PARSE_TIMEOUT_ATTEMPTS, parseTriedAgain } from './parse-failure.util';

describe(parseTriedAgain.name, () => {
  const timeout = new MessageParseError({ code: 'TIMEOUT', reason: 'timed out after 30000 ms' });

  it('should try a timed-out parse again until its last attempt, then let it be quarantined', () => {
    expect(parseTriedAgain({ error: timeout, deliveryCount: 1 })).toBe(true);
    expect(parseTriedAgain({ error: timeout, deliveryCount: PARSE_TIMEOUT_ATTEMPTS - 1 })).toBe(true);
    expect(parseTriedAgain({ error: timeout, deliveryCount: PARSE_TIMEOUT_ATTEMPTS })).toBe(false);
  });

  it('should quarantine malformed input at once: it fails the same way every time', () => {
    expect(parseTriedAgain({ error: new MessageParseError({ code: 'MALFORMED', reason: 'malformed MIME' }), deliveryCount: 1 })).toBe(false);
    expect(parseTriedAgain({ error: new Error('store away'), deliveryCount: 1 })).toBe(false);
  });
});
