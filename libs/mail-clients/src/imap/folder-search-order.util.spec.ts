import { describe, expect, it } from 'vitest';
import { folderSearchOrder, sameFolder } from './folder-search-order.util';

describe(folderSearchOrder.name, () => {
  it('should look where the message was seen first, each folder once, the destination last', () => {
    expect(folderSearchOrder({ seenIn: 'Junk', searchFolders: ['inbox', 'Archive', 'INBOX', 'Junk'], last: 'INBOX' })).toEqual(['Junk', 'Archive', 'INBOX']);
  });

  it('should keep the order as given without a destination', () => {
    expect(folderSearchOrder({ seenIn: 'INBOX', searchFolders: ['Junk', 'Archive', 'Junk'] })).toEqual(['INBOX', 'Junk', 'Archive']);
  });
});

describe(sameFolder.name, () => {
  it('should compare names case-sensitively, except INBOX', () => {
    expect(sameFolder('Inbox', 'INBOX')).toBe(true);
    expect(sameFolder('Junk', 'junk')).toBe(false);
  });
});
