import { describe, expect, it } from 'vitest';
import { matchingUids, messageIdMatch, severalMatchesDescription } from './message-id-match.util';

// Two recipients' copies of one mail in a multidrop INBOX: the same Message-ID, their own Delivered-To.
const annasCopy = { uid: 1, messageId: '<offer@shop.example>', size: 212 };
const benjaminsCopy = { uid: 2, messageId: '<offer@shop.example>', size: 216 };
const substringHit = { uid: 3, messageId: '<special-offer@shop.example>', size: 216 };

describe(matchingUids.name, () => {
  it('should keep the exact Message-ID only, with or without brackets, ascending', () => {
    expect(matchingUids([benjaminsCopy, substringHit, annasCopy, { uid: 4 }], { messageIdHeader: 'offer@shop.example' })).toEqual([1, 2]);
  });

  it('should keep only the recorded size when it is known', () => {
    expect(matchingUids([annasCopy, benjaminsCopy, substringHit], { messageIdHeader: '<offer@shop.example>', size: 216 })).toEqual([2]);
    expect(matchingUids([annasCopy, { uid: 5, messageId: '<offer@shop.example>' }], { messageIdHeader: '<offer@shop.example>', size: 212 })).toEqual([1]);
  });

  it('should treat size 0 as unknown', () => {
    expect(matchingUids([annasCopy, benjaminsCopy], { messageIdHeader: '<offer@shop.example>', size: 0 })).toEqual([1, 2]);
  });
});

describe(messageIdMatch.name, () => {
  it("should pick the one copy of the recorded size, not the lowest UID (another recipient's copy)", () => {
    expect(messageIdMatch([annasCopy, benjaminsCopy], { messageIdHeader: '<offer@shop.example>', size: 216 })).toEqual({ kind: 'one', uid: 2 });
  });

  it('should pick a single message by Message-ID alone when the size is unknown', () => {
    expect(messageIdMatch([benjaminsCopy, substringHit], { messageIdHeader: '<offer@shop.example>' })).toEqual({ kind: 'one', uid: 2 });
  });

  it('should refuse to pick one of several that still match, whether the size is known or not', () => {
    const sameSize = { ...annasCopy, uid: 7, size: benjaminsCopy.size };
    expect(messageIdMatch([sameSize, benjaminsCopy], { messageIdHeader: '<offer@shop.example>', size: 216 })).toEqual({ kind: 'several', uids: [2, 7] });
    expect(messageIdMatch([annasCopy, benjaminsCopy], { messageIdHeader: '<offer@shop.example>' })).toEqual({ kind: 'several', uids: [1, 2] });
  });

  it('should find none when no candidate is the message, or none is of its size', () => {
    expect(messageIdMatch([], { messageIdHeader: '<offer@shop.example>' })).toEqual({ kind: 'none' });
    expect(messageIdMatch([substringHit], { messageIdHeader: '<offer@shop.example>' })).toEqual({ kind: 'none' });
    expect(messageIdMatch([annasCopy, benjaminsCopy], { messageIdHeader: '<offer@shop.example>', size: 300 })).toEqual({ kind: 'none' });
  });
});

describe(severalMatchesDescription.name, () => {
  it('should name the Message-ID, the size and the folder', () => {
    expect(severalMatchesDescription({ messageIdHeader: 'offer@shop.example', size: 216, folder: 'INBOX', count: 2 })).toBe('2 messages with Message-ID <offer@shop.example> and size 216 in INBOX');
    expect(severalMatchesDescription({ messageIdHeader: '<offer@shop.example>', folder: 'Junk', count: 3 })).toBe('3 messages with Message-ID <offer@shop.example> in Junk (no size recorded to tell them apart)');
  });
});
