import { chown, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningDovecot } from './dovecot';

/**
 * Writes messages straight into a user's INBOX Maildir and has Dovecot index them: seconds rather
 * than minutes of APPENDs for thousands of messages. Adds the user when it does not exist yet. The
 * files keep their bytes as given (LF-only messages stay LF; Dovecot serves them with CRLF).
 * @example await seedMaildir({ dovecot: stack.dovecot, username: 'corpus', password, messages });
 */
export async function seedMaildir({ dovecot, username, password, messages }: { dovecot: RunningDovecot; username: string; password: string; messages: Buffer[] }): Promise<void> {
  if (!dovecot.users.some((user) => user.username === username)) await dovecot.addUser({ username, password });
  await dovecot.doveadm(['mailbox', 'status', '-u', username, 'messages', 'INBOX']); // creates the Maildir
  const cur = join(dovecot.mailDir(username), 'cur');
  const owner = await stat(dovecot.mailDir(username));
  const base = 1_700_000_000;
  await Promise.all(
    messages.map(async (message, index) => {
      const file = join(cur, `${base + index}.M${index}P1.seed,S=${message.length}:2,`);
      await writeFile(file, message);
      await chown(file, owner.uid, owner.gid);
    }),
  );
  await dovecot.doveadm(['force-resync', '-u', username, 'INBOX']);
  await dovecot.doveadm(['index', '-u', username, 'INBOX']);
  const status = await dovecot.doveadm(['mailbox', 'status', '-u', username, 'messages', 'INBOX']);
  if (!status.includes(`messages=${messages.length}`)) throw new Error(`seeding ${username}: Dovecot reports ${status.trim()}, expected ${messages.length} messages`);
}
