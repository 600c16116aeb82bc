import { describe, expect, it } from 'vitest';
import { annasPlace, annasRecord, bensCopy } from '../../test/fixtures/message-copies';
import type { MessageCopyDocument } from './message-copy.repository';
import { copyView, sameServerPlace, serverPlaces } from './message-copy.util';
import type { MessageSource } from './message.document';

const message = annasRecord;
const junk: MessageSource = { protocol: 'imap', folder: 'Junk', folderRole: 'junk', uidValidity: 9, uid: 31 };

describe(copyView.name, () => {
  it("should show a copy's own headers, Bcc, bytes and place, and the record's without one", () => {
    expect(copyView(message, bensCopy)).toEqual({ copyId: bensCopy._id, source: bensCopy.source, blobId: 'blob-ben', size: 118, headers: bensCopy.headers, bcc: bensCopy.bcc });
    expect(copyView(message)).toEqual({ source: annasPlace, blobId: 'blob-anna', size: 120, headers: message.headers, bcc: [] });
  });

  it('should show where a spam mark moved the copy', () => {
    expect(copyView(message, { ...bensCopy, relocated: { source: junk, at: new Date() } }).source).toEqual(junk);
  });
});

describe(serverPlaces.name, () => {
  it("should list the record's place first, then every copy's where a mark moved it, each with its size", () => {
    expect(serverPlaces({ message, copies: [bensCopy] })).toEqual([
      { source: annasPlace, size: 120 },
      { copyId: bensCopy._id, source: bensCopy.source, size: 118 },
    ]);
    expect(serverPlaces({ message, copies: [{ ...bensCopy, relocated: { source: junk, at: new Date() } }] })[1]).toEqual({ copyId: bensCopy._id, source: junk, size: 118 });
  });

  it('should list a place once: a synced Junk folder fetched the copy a mark moved there', () => {
    const fetchedInJunk: MessageCopyDocument = { ...bensCopy, _id: 'a1/imap/Junk/9/31', source: junk };
    expect(serverPlaces({ message, copies: [{ ...bensCopy, relocated: { source: junk, at: new Date() } }, fetchedInJunk] })).toHaveLength(2);
    expect(serverPlaces({ message: { ...message, source: junk }, copies: [fetchedInJunk] })).toEqual([{ source: junk, size: 120 }]);
  });

  it('should still delete the places an earlier version kept in the record', () => {
    const legacy = { fetchKey: 'a1/imap/INBOX/7/3', protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 3 } as const;
    expect(serverPlaces({ message: { ...message, copies: [legacy] }, copies: [] })).toEqual([
      { source: annasPlace, size: 120 },
      { copyId: legacy.fetchKey, source: { protocol: 'imap', folder: 'INBOX', folderRole: 'inbox', uidValidity: 7, uid: 3 } },
    ]);
  });
});

describe(sameServerPlace.name, () => {
  it('should compare the place only, not the role', () => {
    expect(sameServerPlace(annasPlace, { ...annasPlace, folderRole: 'other' })).toBe(true);
    expect(sameServerPlace(annasPlace, { ...annasPlace, uid: 2 })).toBe(false);
    expect(sameServerPlace({ protocol: 'pop3', folder: 'INBOX', folderRole: 'inbox', uidl: 'a' }, { protocol: 'pop3', folder: 'INBOX', folderRole: 'inbox', uidl: 'b' })).toBe(false);
  });
});
