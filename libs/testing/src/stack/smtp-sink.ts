import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { MailUser } from './dovecot';
import type { TlsCert } from './tls-cert.util';

/** One message the sink accepted, with its SMTP envelope and the exact bytes of DATA. */
export interface ReceivedMail {
  id: string;
  /** MAIL FROM address; '' for the null sender `<>`. */
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  size: number;
  /** The .eml file under the sink's dir. */
  file: string;
  /** ISO 8601. */
  receivedAt: string;
  /** The AUTH username, when the client authenticated. */
  authUser?: string;
  /** Whether the message came over TLS (STARTTLS). */
  secure: boolean;
  heloName: string;
}

type ReceivedMailIndexLine = Omit<ReceivedMail, 'raw'>;

export type SmtpFailureStage = 'mail' | 'rcpt' | 'data';

/** A reply the sink gives instead of accepting, chosen by a substring of an address. */
export interface SmtpFailureRule {
  /** Case-insensitive substring: of the sender at 'mail', of the recipient at 'rcpt', of any recipient at 'data' (end of DATA). */
  match: string;
  stage: SmtpFailureStage;
  code: number;
  /** Reply text after the code, starting with the enhanced status code. */
  message: string;
}

/**
 * The default failure rules: put the marker into an address to get that reply, e.g.
 * `reject-5xx@example.com` at RCPT TO gets `550 5.1.1 No such user`.
 */
export const DEFAULT_SMTP_FAILURE_RULES: readonly SmtpFailureRule[] = [
  { match: 'reject-5xx', stage: 'rcpt', code: 550, message: '5.1.1 No such user' },
  { match: 'defer-4xx', stage: 'rcpt', code: 451, message: '4.3.0 Try again later' },
  { match: 'reject-sender-5xx', stage: 'mail', code: 553, message: '5.7.1 Sender address rejected' },
  { match: 'reject-data-5xx', stage: 'data', code: 554, message: '5.6.0 Message content rejected' },
  { match: 'defer-data-4xx', stage: 'data', code: 451, message: '4.3.0 Try again later' },
];

export interface RunningSmtpSink {
  host: '127.0.0.1';
  port: number;
  /** Where the .eml files and index.jsonl are; readSmtpSinkMessages(dir) reads them from any process. */
  dir: string;
  /** The logins AUTH PLAIN/LOGIN accepts, read at each AUTH; undefined: any username and password. */
  users: readonly MailUser[] | undefined;
  /** Whether MAIL FROM needs AUTH first. */
  authRequired: boolean;
  /** Live: tests may push or splice rules while the sink runs. */
  failureRules: SmtpFailureRule[];
  /** Every accepted message, oldest first. */
  messages(): Promise<ReceivedMail[]>;
  /**
   * Holds the answer to DATA of the next mail to a recipient containing `match` until release(): the
   * mail is received but not yet accepted, so a test can act between the two (crash a server, say).
   */
  holdData(match: string): SmtpDataHold;
  stop(): Promise<void>;
}

export interface SmtpDataHold {
  /** Resolves when the held mail's DATA is in. */
  arrived: Promise<void>;
  /** Lets the sink answer (and save) the held mail. */
  release(): void;
}

interface PendingHold {
  match: string;
  arrive: () => void;
  released: Promise<void>;
}

const INDEX_FILE = 'index.jsonl';

/** Reads what a sink saved in `dir`, oldest first; safe while the sink is writing. */
export async function readSmtpSinkMessages(dir: string): Promise<ReceivedMail[]> {
  const index = await readFile(join(dir, INDEX_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  // A line without its newline may still be being written: only complete lines count.
  const lines = index.split('\n').slice(0, -1).filter(Boolean);
  return Promise.all(
    lines.map(async (line) => {
      const entry = JSON.parse(line) as ReceivedMailIndexLine;
      return { ...entry, raw: await readFile(join(dir, entry.file)) };
    }),
  );
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

function findFailure({ rules, stage, addresses }: { rules: readonly SmtpFailureRule[]; stage: SmtpFailureStage; addresses: string[] }): SmtpReplyError | undefined {
  const lowered = addresses.map((address) => address.toLowerCase());
  const rule = rules.find((candidate) => candidate.stage === stage && lowered.some((address) => address.includes(candidate.match.toLowerCase())));
  return rule ? new SmtpReplyError(rule.code, rule.message) : undefined;
}

const addressOf = (address: SMTPServerAddress | false): string => (address ? address.address : '');

/**
 * An SMTP server on a free loopback port that keeps every message it accepts as `<id>.eml` in
 * `dir/smtp-sink`, plus one JSON line per message in `index.jsonl`. STARTTLS uses `tls`; AUTH
 * PLAIN/LOGIN is offered (plaintext allowed, loopback only). Addresses matching a failure rule get
 * that reply instead (see DEFAULT_SMTP_FAILURE_RULES).
 *
 * It runs inside the process that owns the stack rather than as a child: no separate script to build
 * and ship, the same lifetime as the stack, and other processes still see every message through the
 * files.
 *
 * @example
 * const sink = await startSmtpSink({ dir, tls: cert, log: console.log });
 * await nodemailer.createTransport({ host: sink.host, port: sink.port, requireTLS: true, tls: { ca: cert.certPem } }).sendMail(mail);
 * const [received] = await sink.messages();
 */
export async function startSmtpSink({
  dir,
  tls,
  log,
  users,
  authRequired = false,
  failureRules = [...DEFAULT_SMTP_FAILURE_RULES],
}: {
  dir: string;
  tls: Pick<TlsCert, 'certPem' | 'keyPem'>;
  log: (line: string) => void;
  /** Logins to accept; leave out to accept any credentials. Read at each AUTH, so a live array works. */
  users?: readonly MailUser[];
  authRequired?: boolean;
  failureRules?: SmtpFailureRule[];
}): Promise<RunningSmtpSink> {
  const sinkDir = join(dir, 'smtp-sink');
  await mkdir(sinkDir, { recursive: true });
  // One writer, appends in acceptance order.
  let indexWrites = Promise.resolve();
  const holds: PendingHold[] = [];
  const holdFor = (addresses: string[]): PendingHold | undefined => {
    const index = holds.findIndex(({ match }) => addresses.some((address) => address.toLowerCase().includes(match.toLowerCase())));
    return index < 0 ? undefined : holds.splice(index, 1)[0];
  };

  const save = async ({ raw, session }: { raw: Buffer; session: SMTPServerSession }): Promise<string> => {
    const id = randomUUID();
    const entry: ReceivedMailIndexLine = {
      id,
      mailFrom: addressOf(session.envelope.mailFrom),
      rcptTo: session.envelope.rcptTo.map(({ address }) => address),
      size: raw.length,
      file: `${id}.eml`,
      receivedAt: new Date().toISOString(),
      ...(session.user ? { authUser: String(session.user) } : {}),
      secure: session.secure,
      heloName: session.hostNameAppearsAs,
    };
    await writeFile(join(sinkDir, entry.file), raw);
    const written = indexWrites.then(() => appendFile(join(sinkDir, INDEX_FILE), `${JSON.stringify(entry)}\n`));
    indexWrites = written.catch(() => undefined);
    await written;
    return id;
  };

  const server = new SMTPServer({
    banner: 'mailbus test SMTP sink',
    key: tls.keyPem,
    cert: tls.certPem,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !authRequired,
    allowInsecureAuth: true,
    // There is no DNS in test environments; a reverse lookup per connection only adds delay.
    disableReverseLookup: true,
    closeTimeout: 1_000,
    logger: false,
    onAuth: (auth, _session, callback) => {
      const ok = users === undefined || users.some(({ username, password }) => username === auth.username && password === auth.password);
      if (!ok) return callback(new SmtpReplyError(535, '5.7.8 Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onMailFrom: (address, _session, callback) => callback(findFailure({ rules: failureRules, stage: 'mail', addresses: [address.address] }) ?? null),
    onRcptTo: (address, _session, callback) => callback(findFailure({ rules: failureRules, stage: 'rcpt', addresses: [address.address] }) ?? null),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const addresses = session.envelope.rcptTo.map(({ address }) => address);
        const answer = (): void => {
          const failure = findFailure({ rules: failureRules, stage: 'data', addresses });
          if (failure) return callback(failure);
          save({ raw: Buffer.concat(chunks), session }).then(
            (id) => callback(null, `2.0.0 Ok: queued as ${id}`),
            (error: Error) => {
              log(`smtp-sink: could not save a message: ${error.message}`);
              callback(new SmtpReplyError(451, '4.3.0 Could not save the message'));
            },
          );
        };
        const hold = holdFor(addresses);
        if (!hold) return answer();
        hold.arrive();
        void hold.released.then(answer);
      });
    },
  });
  // Without a listener an 'error' (e.g. a client aborting its TLS handshake) would throw.
  server.on('error', (error: Error) => log(`smtp-sink: ${error.message}`));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    dir: sinkDir,
    users,
    authRequired,
    failureRules,
    messages: () => readSmtpSinkMessages(sinkDir),
    holdData: (match) => {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ match, arrive, released });
      return { arrived, release };
    },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => indexWrites);
      return stopped;
    },
  };
}
