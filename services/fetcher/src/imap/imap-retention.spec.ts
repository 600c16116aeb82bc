import { describe, expect, it } from 'vitest';
import { expiredByFirstSeen, syncedListPaths } from './imap-retention';

const listed = ['INBOX', 'INBOX.Sent', 'INBOX.Junk', 'Archive'];

describe(syncedListPaths.name, () => {
  it('should find INBOX under the LIST name whatever case the account names it in', () => {
    expect(syncedListPaths({ folders: ['inbox'], listed })).toEqual(new Map([['INBOX', 'inbox']]));
    expect(syncedListPaths({ folders: ['INBOX'], listed: ['Inbox'] })).toEqual(new Map([['Inbox', 'INBOX']]));
  });

  it('should find a folder inside the personal namespace when the account names it without the prefix', () => {
    expect(syncedListPaths({ folders: ['Sent'], listed, namespace: { prefix: 'INBOX.', delimiter: '.' } })).toEqual(new Map([['INBOX.Sent', 'Sent']]));
    expect(syncedListPaths({ folders: ['Sent'], listed, namespace: { prefix: 'INBOX', delimiter: '.' } })).toEqual(new Map([['INBOX.Sent', 'Sent']]));
  });

  it('should take a name that already carries the prefix, or exists as written, as it is', () => {
    expect(syncedListPaths({ folders: ['INBOX.Junk', 'Archive'], listed, namespace: { prefix: 'INBOX.', delimiter: '.' } })).toEqual(
      new Map([
        ['INBOX.Junk', 'INBOX.Junk'],
        ['Archive', 'Archive'],
      ]),
    );
  });

  it('should leave out a folder that is not listed and match other names exactly', () => {
    expect(syncedListPaths({ folders: ['Nowhere', 'archive'], listed })).toEqual(new Map());
  });
});

describe(expiredByFirstSeen.name, () => {
  const cutoff = new Date('2026-11-01T00:00:00Z');

  it('should expire only messages whose fetch record was first written before the cutoff', () => {
    const firstSeen = new Map([
      [1, new Date('2026-10-01T00:00:00Z')],
      [2, new Date('2026-11-02T00:00:00Z')],
    ]);
    expect(expiredByFirstSeen({ uids: [1, 2, 3], firstSeen, cutoff })).toEqual([1]);
  });

  it('should never expire a message without a fetch record', () => {
    expect(expiredByFirstSeen({ uids: [7, 8], firstSeen: new Map(), cutoff })).toEqual([]);
  });
});
