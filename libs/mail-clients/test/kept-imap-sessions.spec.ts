import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_PASSWORD, expectEventually } from '@mailbus/testing';
import { KeptImapSessions, appendImapMessageOnce, type ConnectionSlot, type MailServerSettings } from '../src';
import { messagesIn, rawMessage, useTestDovecot } from './fixtures/imap-test-client.util';

const imap = useTestDovecot({ usernames: ['burst', 'revision', 'busy', 'failing'] });

/** Slots handed out by the test: each session takes exactly one for its connection. */
class CountingSlots {
  acquired = 0;
  released = 0;
  free = true;

  acquire = async (): Promise<ConnectionSlot | undefined> => {
    if (!this.free) return undefined;
    this.acquired += 1;
    return { renew: async () => true, release: async () => void (this.released += 1) };
  };
}

let sessions: KeptImapSessions | undefined;

afterEach(async () => {
  await sessions?.close();
});

const server = (username: string): MailServerSettings => ({ protocol: 'imap', host: '127.0.0.1', port: imap.dovecot.imapPort, security: 'none', username, password: DEFAULT_MAIL_PASSWORD });

const keep = (slots: CountingSlots): KeptImapSessions => {
  sessions = new KeptImapSessions({ acquireSlot: slots.acquire, noSlot: (host) => new Error(`no slot for ${host}`), timeoutMs: 5_000, idleMs: 1_000 });
  return sessions;
};

const appendTo = (folder: string, messageId: string) => (client: Parameters<Parameters<KeptImapSessions['run']>[1]>[0]) => appendImapMessageOnce(client, { folder, raw: rawMessage(messageId), messageIdHeader: messageId, createIfMissing: true });

describe(KeptImapSessions.name, () => {
  it('should run a burst of work for one account over one connection, one piece at a time, and close it once idle', async () => {
    const slots = new CountingSlots();
    const sut = keep(slots);
    const account = { accountId: 'a1', revision: 1, server: server('burst') };
    let running = 0;
    let mostAtOnce = 0;

    await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        sut.run(account, async (client) => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          try {
            return await appendTo('Sent', `burst-${n}@example.com`)(client);
          } finally {
            running -= 1;
          }
        }),
      ),
    );

    expect(slots.acquired).toBe(1);
    expect(mostAtOnce).toBe(1);
    const { client } = await imap.connect('burst');
    expect((await messagesIn(client, 'Sent')).map(({ messageId }) => messageId).sort()).toEqual([0, 1, 2, 3, 4].map((n) => `<burst-${n}@example.com>`));
    await expectEventually(() => expect({ open: sut.size, released: slots.released }).toEqual({ open: 0, released: 1 }));

    await sut.run(account, appendTo('Sent', 'after-idle@example.com'));
    expect(slots.acquired).toBe(2);
  });

  it('should open a new connection for changed settings and close the old one, giving back its slot', async () => {
    const slots = new CountingSlots();
    const sut = keep(slots);
    await sut.run({ accountId: 'a2', revision: 1, server: server('revision') }, appendTo('Sent', 'rev-1@example.com'));

    await sut.run({ accountId: 'a2', revision: 2, server: server('revision') }, appendTo('Sent', 'rev-2@example.com'));

    await expectEventually(() => expect(slots).toMatchObject({ acquired: 2, released: 1 }));
    expect(sut.size).toBe(1);
    // Work that read the account before the change goes over the newer session.
    await sut.run({ accountId: 'a2', revision: 1, server: server('revision') }, appendTo('Sent', 'rev-1-late@example.com'));
    expect(slots).toMatchObject({ acquired: 2, released: 1 });
  });

  it('should refuse work with the noSlot error, without connecting, when the host has no free slot', async () => {
    const slots = new CountingSlots();
    slots.free = false;
    const sut = keep(slots);

    await expect(sut.run({ accountId: 'a3', revision: 1, server: server('busy') }, appendTo('Sent', 'busy@example.com'))).rejects.toThrow('no slot for 127.0.0.1');

    expect(sut.size).toBe(0);
    slots.free = true;
    await sut.run({ accountId: 'a3', revision: 1, server: server('busy') }, appendTo('Sent', 'busy@example.com'));
    expect(slots.acquired).toBe(1);
  });

  it('should keep the connection when the work fails on its own', async () => {
    const slots = new CountingSlots();
    const sut = keep(slots);
    const account = { accountId: 'a4', revision: 1, server: server('failing') };

    await expect(sut.run(account, async () => Promise.reject(new Error('the work failed')))).rejects.toThrow('the work failed');
    await sut.run(account, appendTo('Sent', 'still@example.com'));

    expect(slots).toMatchObject({ acquired: 1, released: 0 });
  });

  it('should give the slot back when the login fails', async () => {
    const slots = new CountingSlots();
    const sut = keep(slots);

    await expect(sut.run({ accountId: 'a5', revision: 1, server: { ...server('failing'), password: 'wrong' } }, appendTo('Sent', 'never@example.com'))).rejects.toThrow();

    expect(slots).toMatchObject({ acquired: 1, released: 1 });
    expect(sut.size).toBe(0);
  });
});
