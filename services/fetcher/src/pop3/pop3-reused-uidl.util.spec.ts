import { describe, expect, it } from 'vitest';
import { assignContentKeys } from './pop3-content-key.util';
import { messagesToDelete } from './pop3-deletions.util';
import { rekeyReusedUidls, reusedUidlKey, sharedUidls } from './pop3-reused-uidl.util';

const byUidl = (number: number, uidl: string) => ({ number, key: uidl, siblings: [], uidl });
const NOW = Date.parse('2026-11-22T12:00:00Z');
const storedYesterday = { fetchedAt: new Date(NOW - 86_400_000) };

describe(rekeyReusedUidls.name, () => {
  it('should give a message whose UIDL has a record fetched with another LIST size a key of its own, and keep the others', () => {
    const sut = rekeyReusedUidls({
      messages: [byUidl(1, 'same'), byUidl(2, 'reused'), byUidl(3, 'new'), byUidl(4, 'older-record')],
      sizes: new Map([
        [1, 100],
        [2, 300],
        [3, 50],
        [4, 70],
      ]),
      // A record of an older version has no LIST size: it cannot tell, and is trusted as before.
      recordListSizes: new Map([
        ['same', 100],
        ['reused', 200],
      ]),
    });

    expect(sut.map(({ key }) => key)).toEqual(['same', 'reused size=300', 'new', 'older-record']);
    expect(sut[1]).toMatchObject({ number: 2, uidl: 'reused' });
  });

  it('should leave content keys alone: their digest has the size in it already', () => {
    const [message] = assignContentKeys([{ number: 1, digest: 'sha256:ab' }]);
    expect(rekeyReusedUidls({ messages: [message!], sizes: new Map([[1, 10]]), recordListSizes: new Map([['sha256:ab', 99]]) })).toEqual([message]);
  });

  it('should not let a reused UIDL be deleted before the new message is stored, and let it go once it is', () => {
    const messages = rekeyReusedUidls({ messages: [byUidl(1, 'u1'), byUidl(2, 'u2')], sizes: new Map([[1, 300], [2, 40]]), recordListSizes: new Map([['u1', 200], ['u2', 40]]) });
    const stored = new Map([
      ['u1', storedYesterday],
      ['u2', storedYesterday],
    ]);
    const decide = (fetchedNow: string[]) => messagesToDelete({ messages, stored, fetchedNow: new Set(fetchedNow), leaveOnServer: false, deleteAfterDays: 0, now: NOW });

    // Before: the old record of u1 made message 1 "stored", and it was deleted unfetched.
    expect(decide([])).toEqual([2]);
    expect(decide([reusedUidlKey({ uidl: 'u1', size: 300 })])).toEqual([1, 2]);
  });
});

describe(sharedUidls.name, () => {
  it('should name the UIDLs listed for more than one message', () => {
    expect([...sharedUidls([{ uid: 'a' }, { uid: 'b' }, { uid: 'a' }, { uid: 'c' }, { uid: 'a' }])]).toEqual(['a']);
    expect(sharedUidls([{ uid: 'a' }, { uid: 'b' }]).size).toBe(0);
  });
});
