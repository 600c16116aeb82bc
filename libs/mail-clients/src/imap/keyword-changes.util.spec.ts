import { describe, expect, it } from 'vitest';
import { keywordChanges } from './keyword-changes.util';

describe(keywordChanges.name, () => {
  it('should add only missing keywords and remove only present ones', () => {
    expect(keywordChanges({ current: ['\\Seen', '$NotJunk'], add: ['$Junk', '\\Seen'], remove: ['$NotJunk', '$Phishing'], permanentFlags: ['\\Seen', '\\*'] })).toEqual({
      add: ['$Junk'],
      remove: ['$NotJunk'],
    });
  });

  it('should change nothing when the message is already as wanted, whatever the case', () => {
    expect(keywordChanges({ current: ['$junk'], add: ['$Junk'], remove: ['$NotJunk'] })).toEqual({ add: [], remove: [] });
  });

  it('should leave out keywords the mailbox cannot store (PERMANENTFLAGS without \\*)', () => {
    expect(keywordChanges({ current: [], add: ['$Junk', '$Forwarded'], permanentFlags: ['\\Seen', '\\Deleted', '$forwarded'] })).toEqual({ add: ['$Forwarded'], remove: [] });
  });

  it('should allow any keyword when the server sent no PERMANENTFLAGS', () => {
    expect(keywordChanges({ current: [], add: ['$Junk', '$Junk'] })).toEqual({ add: ['$Junk'], remove: [] });
  });
});
