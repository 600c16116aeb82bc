import { ImapFlow } from 'imapflow';
import type { RunningDovecot } from './dovecot';

export interface AppendedMessage {
  uid: number;
  uidValidity: bigint;
}

/**
 * Stores a raw message in a user's folder on the test Dovecot over IMAP APPEND, the way a mail
 * client would, and returns where it landed. Plain IMAP on loopback: the TLS paths have their own tests.
 *
 * @example
 * const { uid } = await appendMessage({ dovecot: stack.dovecot, username: 'user1', folder: 'INBOX', raw, flags: ['\\Seen'] });
 */
export async function appendMessage({
  dovecot,
  username,
  folder = 'INBOX',
  raw,
  flags = [],
  date,
}: {
  dovecot: Pick<RunningDovecot, 'host' | 'imapPort' | 'users'>;
  username: string;
  folder?: string;
  raw: Buffer | string;
  flags?: string[];
  /** INTERNALDATE; the server's clock when left out. */
  date?: Date;
}): Promise<AppendedMessage> {
  const user = dovecot.users.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`appendMessage: ${username} is not a user of this Dovecot (addUser first)`);
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.username, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  try {
    const appended = await client.append(folder, raw, flags, date);
    if (!appended || appended.uid === undefined || appended.uidValidity === undefined) {
      throw new Error(`appendMessage: the server did not report APPENDUID for ${username}/${folder}`);
    }
    return { uid: appended.uid, uidValidity: appended.uidValidity };
  } finally {
    await client.logout().catch(() => client.close());
  }
}
