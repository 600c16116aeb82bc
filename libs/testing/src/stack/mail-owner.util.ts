import { userInfo } from 'node:os';
import { execFileAsync, isRoot } from './tools.util';

/** System user that owns the test mail when the stack runs as root (Dovecot refuses uid 0 for mail). */
export const MAIL_OWNER_USER = 'mailbus-vmail';

export interface MailOwner {
  uid: number;
  gid: number;
  /** Set when not root: Dovecot then runs entirely as the current user. */
  unprivileged?: { user: string; group: string };
}

interface PasswdEntry {
  uid: number;
  gid: number;
}

/** The passwd entry of `name`, or undefined when there is no such user. */
export async function lookupUser(name: string): Promise<PasswdEntry | undefined> {
  const entry = await execFileAsync('getent', ['passwd', name]).then(
    ({ stdout }) => stdout.trim(),
    () => '',
  );
  const [, , uid, gid] = entry.split(':');
  if (uid === undefined || gid === undefined) return undefined;
  return { uid: Number(uid), gid: Number(gid) };
}

async function groupName(gid: number): Promise<string> {
  const { stdout } = await execFileAsync('getent', ['group', String(gid)]);
  return stdout.split(':')[0] ?? String(gid);
}

/**
 * Creates the mail owner when missing. Parallel test workers may race to create it: whoever loses
 * sees "already exists" or a locked /etc/passwd, so failures are retried until the user shows up.
 */
async function ensureSystemUser(name: string): Promise<PasswdEntry> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const existing = await lookupUser(name);
    if (existing) return existing;
    try {
      await execFileAsync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', name]);
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`could not create the system user ${name}: ${(lastError as Error | undefined)?.message ?? 'unknown error'}`);
}

/** Who owns the test mail: a dedicated system user when root, otherwise the current user. */
export async function resolveMailOwner(): Promise<MailOwner> {
  if (isRoot()) return ensureSystemUser(MAIL_OWNER_USER);
  const me = userInfo();
  return { uid: me.uid, gid: me.gid, unprivileged: { user: me.username, group: await groupName(me.gid) } };
}
