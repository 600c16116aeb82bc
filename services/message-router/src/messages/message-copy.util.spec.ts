import { describe, expect, it } from 'vitest';
import { copyIdOf, deliveredCopy, sameServerPlace, serverPlaces } from './message-copy.util';
import type { MessageCopy, MessageDocument } from './message.document';

const annasCopy = { fetchKey: 'a1/imap/INBOX/7/1', source: { protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 1 }, blobId: 'blob-anna', size: 120, headers: [{ key: 'delivered-to', value: 'anna@example.com' }], bcc: [] } as const;
const bensCopy: MessageCopy = { fetchKey: 'a1/imap/INBOX/7/2', protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 2, blobId: 'blob-ben', size: 118, headers: [{ key: 'delivered-to', value: 'ben@example.com' }], bcc: [{ address: 'ben@example.com', name: '' }] };

const message = (extra: Partial<MessageDocument> = {}): Pick<MessageDocument, 'fetchKey' | 'source' | 'blobId' | 'size' | 'headers' | 'bcc' | 'copies' | 'copyRelocations'> => ({
  ...annasCopy,
  source: { ...annasCopy.source },
  headers: [...annasCopy.headers],
  bcc: [],
  copies: [bensCopy],
  ...extra,
});

describe(deliveredCopy.name, () => {
  it("should give a delivery made from another copy that copy's headers, Bcc, bytes and place", () => {
    expect(deliveredCopy(message(), { fetchKey: bensCopy.fetchKey })).toEqual({
      copyId: copyIdOf(bensCopy.fetchKey),
      fetchKey: bensCopy.fetchKey,
      source: { protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 2 },
      blobId: 'blob-ben',
      size: 118,
      headers: bensCopy.headers,
      bcc: bensCopy.bcc,
    });
  });

  it("should give the record's own copy to a delivery made from it, to one without a fetch key, and to none", () => {
    for (const delivery of [{ fetchKey: annasCopy.fetchKey }, {}, undefined]) {
      expect(deliveredCopy(message(), delivery)).toEqual({ fetchKey: annasCopy.fetchKey, source: annasCopy.source, blobId: 'blob-anna', size: 120, headers: annasCopy.headers, bcc: [] });
    }
  });

  it('should fall back to the record for a copy that is not kept apart (the same place fetched again) and for what an older copy lacks', () => {
    expect(deliveredCopy(message(), { fetchKey: 'a1/imap/Junk/9/4' }).blobId).toBe('blob-anna');
    const { fetchKey, protocol, folder, folderRole, uidValidity, uid } = bensCopy;
    const older = deliveredCopy(message({ copies: [{ fetchKey, protocol, folder, folderRole, uidValidity, uid }] }), { fetchKey });
    expect(older).toMatchObject({ copyId: copyIdOf(fetchKey), source: { folder: 'INBOX', uid: 2 }, blobId: 'blob-anna', headers: annasCopy.headers });
  });

  it('should show where a spam mark moved the copy', () => {
    const junk = { protocol: 'imap', folder: 'Junk', folderRole: 'junk', uidValidity: 9, uid: 31 } as const;
    const moved = message({ copyRelocations: { [copyIdOf(bensCopy.fetchKey)]: { source: junk, at: new Date() } } });
    expect(deliveredCopy(moved, { fetchKey: bensCopy.fetchKey }).source).toEqual(junk);
    expect(deliveredCopy(moved, { fetchKey: annasCopy.fetchKey }).source).toEqual(annasCopy.source);
  });
});

describe(serverPlaces.name, () => {
  it("should list the record's place first, then every copy's, relocated where a mark moved it", () => {
    const junk = { protocol: 'imap', folder: 'Junk', folderRole: 'junk', uidValidity: 9, uid: 31 } as const;
    const copyId = copyIdOf(bensCopy.fetchKey);
    expect(serverPlaces(message())).toEqual([{ source: annasCopy.source }, { copyId, source: { protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 2 } }]);
    expect(serverPlaces(message({ copyRelocations: { [copyId]: { source: junk, at: new Date() } } }))[1]).toEqual({ copyId, source: junk });
    expect(serverPlaces(message({ copies: undefined }))).toEqual([{ source: annasCopy.source }]);
  });
});

describe(sameServerPlace.name, () => {
  it('should compare the place only, not the role', () => {
    expect(sameServerPlace(annasCopy.source, { ...annasCopy.source, folderRole: 'other' })).toBe(true);
    expect(sameServerPlace(annasCopy.source, { ...annasCopy.source, uid: 2 })).toBe(false);
    expect(sameServerPlace({ protocol: 'pop3', folder: 'INBOX', folderRole: 'inbox', uidl: 'a' }, { protocol: 'pop3', folder: 'INBOX', folderRole: 'inbox', uidl: 'b' })).toBe(false);
  });
});
