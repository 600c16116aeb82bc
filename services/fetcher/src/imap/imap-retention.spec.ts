import { describe, expect, it } from 'vitest';
import { expiredByFirstSeen, linkedFirstStored, syncedListPaths } from './imap-retention';

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
      [1, { at: new Date('2026-10-01T00:00:00Z') }],
      [2, { at: new Date('2026-11-02T00:00:00Z') }],
    ]);
    expect(expiredByFirstSeen({ uids: [1, 2, 3], firstSeen, cutoff })).toEqual([1]);
  });

  it('should never expire a message without a fetch record', () => {
    expect(expiredByFirstSeen({ uids: [7, 8], firstSeen: new Map(), cutoff })).toEqual([]);
  });
});

describe(linkedFirstStored.name, () => {
  const storedAt = new Date('2026-10-01T00:00:00Z');
  const linkedAt = new Date('2026-11-20T00:00:00Z');
  const record = { folder: '[Gmail]/All Mail', uidValidity: 7, fetchedAt: storedAt, sha256: 'ab12', size: 420 };
  const link = { _id: 'acc/imap/INBOX/3/9', folder: 'INBOX', uidValidity: 3, linkedAt, by: 'emailId' as const };

  it('should count a message linked to another folder’s record as stored when it was linked, not before', () => {
    expect(linkedFirstStored({ link, record })).toEqual({ at: linkedAt });
  });

  it('should count from the record when that was stored after the link was written', () => {
    const later = new Date('2026-11-25T00:00:00Z');
    expect(linkedFirstStored({ link, record: { ...record, fetchedAt: later } })).toEqual({ at: later });
  });

  it('should count a folder rebuilt under a new UIDVALIDITY from its old record', () => {
    expect(linkedFirstStored({ link: { ...link, folder: 'Sent', uidValidity: 8 }, record: { ...record, folder: 'Sent' } })).toEqual({ at: storedAt });
  });

  it('should count a message moved out of a folder and back in (same UIDVALIDITY, new UID) from when it was linked', () => {
    expect(linkedFirstStored({ link: { ...link, uidValidity: 7 }, record: { ...record, folder: 'INBOX' } })).toEqual({ at: linkedAt });
  });

  it('should ask for the bytes to be checked when the link was made by Message-ID and size, or before links said how', () => {
    const check = { linkId: link._id, sha256: 'ab12', size: 420 };
    expect(linkedFirstStored({ link: { ...link, by: 'messageId-size' }, record })).toEqual({ at: linkedAt, check });
    expect(linkedFirstStored({ link: { ...link, by: undefined }, record })).toEqual({ at: linkedAt, check });
  });

  it('should give no time to a link whose message was found to be another one, or whose record has no digest', () => {
    expect(linkedFirstStored({ link: { ...link, bytesDifferAt: linkedAt }, record })).toBeUndefined();
    expect(linkedFirstStored({ link: { ...link, by: 'messageId-size' }, record: { ...record, sha256: '' } })).toBeUndefined();
  });
});
