import { describe, expect, it } from 'vitest';
import { chooseLogin, hasCapability, loginDelay, saslMechanisms } from './pop3-capabilities.util';

// Dovecot 2.3's CAPA before login.
const DOVECOT = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'STLS', 'USER', 'SASL PLAIN LOGIN'];

describe(hasCapability.name, () => {
  it('should match the capability name case-insensitively, not a prefix or an argument', () => {
    expect(hasCapability({ capabilities: DOVECOT, name: 'stls' })).toBe(true);
    expect(hasCapability({ capabilities: DOVECOT, name: 'RESP' })).toBe(false);
    expect(hasCapability({ capabilities: DOVECOT, name: 'PLAIN' })).toBe(false);
  });
});

describe(saslMechanisms.name, () => {
  it('should list the SASL mechanisms', () => {
    expect(saslMechanisms(DOVECOT)).toEqual(['PLAIN', 'LOGIN']);
    expect(saslMechanisms(['USER'])).toEqual([]);
  });
});

describe(chooseLogin.name, () => {
  it.each([
    ['Dovecot (USER and SASL)', DOVECOT, 'user-pass'],
    ['a server without CAPA', [], 'user-pass'],
    ['SASL PLAIN without USER', ['UIDL', 'SASL PLAIN XOAUTH2'], 'sasl-plain'],
    ['neither (USER is the last resort)', ['UIDL', 'SASL XOAUTH2'], 'user-pass'],
  ])('should choose for %s', (_case, capabilities, expected) => {
    expect(chooseLogin(capabilities)).toBe(expected);
  });
});

describe(loginDelay.name, () => {
  it.each([
    ['a fixed delay', ['TOP', 'LOGIN-DELAY 900', 'UIDL'], { seconds: 900, perUser: false }],
    ['a per-user delay announced before login', ['LOGIN-DELAY 300 USER'], { seconds: 300, perUser: true }],
    ['any case and extra spaces', ['  login-delay   60  user '], { seconds: 60, perUser: true }],
    ['zero', ['LOGIN-DELAY 0'], { seconds: 0, perUser: false }],
  ])('should read %s', (_case, capabilities, expected) => {
    expect(loginDelay(capabilities)).toEqual(expected);
  });

  it.each([
    ['Dovecot (no LOGIN-DELAY)', DOVECOT],
    ['a server without CAPA', []],
    ['a value that is not a number', ['LOGIN-DELAY soon']],
    ['a missing value', ['LOGIN-DELAY']],
    ['a negative value', ['LOGIN-DELAY -5']],
    ['a longer capability name', ['LOGIN-DELAYS 900']],
  ])('should find none for %s', (_case, capabilities) => {
    expect(loginDelay(capabilities)).toBeUndefined();
  });
});
