import { access, appendFile, chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { renderDovecotConfig, type DovecotConfigSettings } from './dovecot-config.util';
import { freePort } from './free-port.util';
import { lookupUser, resolveMailOwner } from './mail-owner.util';
import { ExitedAtStartError, ManagedProcess, launchOnFreePorts } from './managed-process';
import { createSelfSignedCert, type TlsCert } from './tls-cert.util';
import { ensureAptPackages, execFileAsync, findExecutable, isRoot } from './tools.util';

/** A login on the test Dovecot (and on the SMTP sink of the stack). */
export interface MailUser {
  username: string;
  password: string;
}

export const DEFAULT_MAIL_PASSWORD = 'password';

/** user1..user5 and catchall, all with the password 'password'. */
export const DEFAULT_MAIL_USERS: readonly MailUser[] = [...['user1', 'user2', 'user3', 'user4', 'user5', 'catchall'].map((username) => ({ username, password: DEFAULT_MAIL_PASSWORD }))];

export interface RunningDovecot {
  host: '127.0.0.1';
  /** IMAP with STARTTLS offered; plaintext login is allowed too (loopback). */
  imapPort: number;
  /** IMAP over implicit TLS. */
  imapsPort: number;
  /** POP3 with STLS offered; USER/PASS is allowed without TLS too. */
  pop3Port: number;
  /** POP3 over implicit TLS. */
  pop3sPort: number;
  /** Dovecot LMTP: delivers like a real MTA; `user1@any.domain` goes to user1, unknown users get 550. */
  lmtpPort: number;
  /** The self-signed server certificate; pass it as `ca` to verify the server as 127.0.0.1 or localhost. */
  caCertPem: string;
  certFile: string;
  configFile: string;
  logFile: string;
  /** Every user that can log in; addUser() appends here. */
  users: MailUser[];
  /** Adds a login; resolves once Dovecot (which rereads the passwd-file when it changes) accepts it. */
  addUser(user: MailUser): Promise<void>;
  /** Runs `doveadm -c <config> ...args` against this instance and returns its stdout. */
  doveadm(args: string[]): Promise<string>;
  /** The Maildir of a user (it exists after the first login or delivery). */
  mailDir(username: string): string;
  /** The Dovecot master, started in the foreground; prefer stop() over process.stop(). */
  process: ManagedProcess;
  /** Stops the master (which stops its children), then kills whatever of its process group is left. */
  stop(): Promise<void>;
}

const DOVECOT_PACKAGES = ['dovecot-imapd', 'dovecot-pop3d', 'dovecot-lmtpd'];
/** One file per package above, plus the binaries, to skip dpkg-query when all are there. */
const DOVECOT_FILES = ['/usr/lib/dovecot/imap', '/usr/lib/dovecot/pop3', '/usr/lib/dovecot/lmtp', '/usr/sbin/dovecot', '/usr/bin/doveadm'];

async function allExist(paths: string[]): Promise<boolean> {
  const found = await Promise.all(
    paths.map((path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.every(Boolean);
}

async function dovecotBinaries(log: (line: string) => void): Promise<{ dovecot: string; doveadm: string }> {
  if (!(await allExist(DOVECOT_FILES))) await ensureAptPackages({ packages: DOVECOT_PACKAGES, log });
  const [dovecot, doveadm] = await Promise.all([findExecutable('dovecot', ['/usr/sbin/dovecot']), findExecutable('doveadm', ['/usr/bin/doveadm'])]);
  if (!dovecot || !doveadm) throw new Error(`dovecot or doveadm not found after installing ${DOVECOT_PACKAGES.join(' ')}`);
  return { dovecot, doveadm };
}

/** `count` distinct free loopback ports (the kernel may hand out the same one twice in a row). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

type DovecotPorts = DovecotConfigSettings['ports'];

/** Stops the master (which stops its children), then kills whatever of its process group is left. */
async function stopMaster(master: ManagedProcess): Promise<void> {
  // The master needs about a second to stop. A process it spawned just before (e.g. for a
  // connection in the last moment) hangs for 5 s without config, and the master waits for it;
  // test mail is disposable, so kill it all instead of waiting.
  await master.stop({ graceMs: 2_500 });
  if (master.pid === undefined) return;
  try {
    // ManagedProcess starts it detached, so the master leads a process group its children share.
    process.kill(-master.pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left, the normal case
  }
}

/**
 * Dovecot stats the passwd-file at most once per second, so a user appended right after a lookup is
 * unknown for up to a second. Waits until a passdb lookup finds the user.
 */
async function waitUntilKnown({ doveadm, username }: { doveadm: (args: string[]) => Promise<string>; username: string }): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await doveadm(['auth', 'lookup', username]);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function passwdLine({ username, password }: MailUser): string {
  if (!/^[A-Za-z0-9._+-]+$/.test(username)) throw new Error(`unsupported test username ${JSON.stringify(username)}: use letters, digits and . _ + -`);
  if (/[:\r\n]/.test(password)) throw new Error('a test password must not contain ":" or line breaks');
  return `${username}:{PLAIN}${password}::::::\n`;
}

/**
 * A private Dovecot (IMAP, IMAPS, POP3, POP3S, LMTP) on free loopback ports with its config, state,
 * logs and Maildirs in `dir/dovecot`. It runs in the foreground as a ManagedProcess, so whoever owns
 * the stack stops it. As root, mail belongs to the system user `mailbus-vmail` (created when
 * missing); otherwise all of Dovecot runs as the current user.
 *
 * @example
 * const dovecot = await startDovecot({ dir, log: console.log });
 * const client = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, auth: { user: 'user1', pass: 'password' }, tls: { ca: dovecot.caCertPem } });
 */
export async function startDovecot({
  dir,
  log,
  cert,
  users = DEFAULT_MAIL_USERS,
  imapCapability,
  specialUseFolders,
}: {
  dir: string;
  log: (line: string) => void;
  /** Defaults to a fresh self-signed localhost certificate in `dir/dovecot/tls`. */
  cert?: TlsCert;
  users?: readonly MailUser[];
} & Pick<DovecotConfigSettings, 'imapCapability' | 'specialUseFolders'>): Promise<RunningDovecot> {
  const root = join(dir, 'dovecot');
  const paths = {
    etc: join(root, 'etc'),
    baseDir: join(root, 'run'),
    stateDir: join(root, 'state'),
    mailRoot: join(root, 'mail'),
    configFile: join(root, 'etc', 'dovecot.conf'),
    passwdFile: join(root, 'etc', 'users'),
    logFile: join(dir, 'dovecot.log'),
  };
  const [binaries, mailOwner, tls] = await Promise.all([dovecotBinaries(log), resolveMailOwner(), cert ?? createSelfSignedCert({ dir: join(root, 'tls'), log })]);
  await Promise.all([paths.etc, paths.baseDir, paths.stateDir, paths.mailRoot].map((path) => mkdir(path, { recursive: true })));
  const userList = [...users];
  await writeFile(paths.passwdFile, userList.map(passwdLine).join(''), { mode: 0o600 });
  if (isRoot()) {
    // Dovecot's auth process (user dovecot) reads the passwd-file and the mail processes (the mail
    // owner) work in mailRoot, so they must be able to pass through the private mkdtemp dirs.
    await Promise.all([chmod(dir, 0o711), chmod(root, 0o711), chmod(paths.etc, 0o711)]);
    const authUser = await lookupUser('dovecot');
    if (authUser) {
      await chown(paths.passwdFile, 0, authUser.gid);
      await chmod(paths.passwdFile, 0o640);
    } else {
      await chmod(paths.passwdFile, 0o644);
    }
    await chown(paths.mailRoot, mailOwner.uid, mailOwner.gid);
    await chmod(paths.mailRoot, 0o700);
  }

  const launch = async (): Promise<{ master: ManagedProcess; ports: DovecotPorts }> => {
    const [imap, imaps, pop3, pop3s, lmtp] = (await freePorts(5)) as [number, number, number, number, number];
    const ports = { imap, imaps, pop3, pop3s, lmtp };
    await writeFile(
      paths.configFile,
      renderDovecotConfig({
        instanceName: basename(dir).startsWith('mailbus') ? basename(dir) : `mailbus-${basename(dir)}`,
        baseDir: paths.baseDir,
        stateDir: paths.stateDir,
        logFile: paths.logFile,
        certFile: tls.certFile,
        keyFile: tls.keyFile,
        passwdFile: paths.passwdFile,
        mailRoot: paths.mailRoot,
        ports,
        mailOwner: { uid: mailOwner.uid, gid: mailOwner.gid },
        unprivileged: mailOwner.unprivileged,
        imapCapability,
        specialUseFolders,
      }),
    );
    // -F: stay in the foreground, so the master is our child and stop() reaches it (it then stops its own children).
    const master = ManagedProcess.start({ name: 'dovecot', command: binaries.dovecot, args: ['-F', '-c', paths.configFile], logFile: paths.logFile });
    try {
      // The master binds every listener before it forks any service, so the login ports answering
      // means LMTP listens too. Not probed itself: each LMTP connection forks an lmtp process, and
      // one forked as stop() begins would hold the master up.
      await Promise.all([ports.imap, ports.imaps, ports.pop3, ports.pop3s].map((port) => master.waitForPort({ port, timeoutMs: 15_000 })));
      return { master, ports };
    } catch (error) {
      const exitedAtStart = !master.running;
      await stopMaster(master);
      throw exitedAtStart ? new ExitedAtStartError('dovecot', (error as Error).message, { cause: error }) : error;
    }
  };
  const { master, ports } = await launchOnFreePorts({ launch, log });
  const doveadm = async (args: string[]): Promise<string> => {
    try {
      const { stdout } = await execFileAsync(binaries.doveadm, ['-c', paths.configFile, ...args], { maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`doveadm ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`, { cause: error });
    }
  };
  return {
    host: '127.0.0.1',
    imapPort: ports.imap,
    imapsPort: ports.imaps,
    pop3Port: ports.pop3,
    pop3sPort: ports.pop3s,
    lmtpPort: ports.lmtp,
    caCertPem: tls.certPem,
    certFile: tls.certFile,
    configFile: paths.configFile,
    logFile: paths.logFile,
    users: userList,
    addUser: async (user) => {
      await appendFile(paths.passwdFile, passwdLine(user));
      userList.push({ ...user });
      await waitUntilKnown({ doveadm, username: user.username });
    },
    doveadm,
    mailDir: (username) => join(paths.mailRoot, username, 'Maildir'),
    process: master,
    stop: () => stopMaster(master),
  };
}
