import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type RunningDovecot } from './dovecot';
import { startFerretDb } from './ferretdb';
import { startNats } from './nats';
import type { RestartableProcess } from './restartable-process';
import { startSmtpSink, type RunningSmtpSink } from './smtp-sink';
import { createSelfSignedCert } from './tls-cert.util';

export interface StackOptions {
  /** Start Dovecot (IMAP/POP3) and the SMTP sink too. Tests of the bus and the store do not need them. */
  mail?: boolean;
  log?: (line: string) => void;
  /** Keep the temp dir (logs, data) after stop, for debugging. */
  keepDir?: boolean;
  /** Start NATS and FerretDB even when NATS_URL or MONGODB_URL are set: for tests that crash and restart them. */
  ownServers?: boolean;
  /** FerretDB gets the _id indexes it lacks (ferretdb-id-indexes.ts): for tests that store thousands of messages. */
  idIndexes?: boolean;
}

export interface Stack {
  dir: string;
  natsUrl: string;
  mongoUrl: string;
  /** With `mail: true`: a private Dovecot (IMAP, POP3, LMTP) with the default test users. */
  dovecot?: RunningDovecot;
  /** With `mail: true`: the SMTP sink; it accepts AUTH as any Dovecot user and shares its certificate. */
  smtp?: RunningSmtpSink;
  /** Environment variables that point a service (or a test in another process) at this stack. */
  env: Record<string, string>;
  /** The servers this stack started (none for NATS_URL or MONGODB_URL from the environment), for benchmarks' CPU figures. */
  pids: { nats?: number; ferretdb?: number };
  /** The NATS server and FerretDB this stack started, to crash and restart them (kill(), start()). */
  servers: { nats?: RestartableProcess; ferretdb?: RestartableProcess };
  stop(): Promise<void>;
}

type Stopper = () => Promise<void>;

interface MailServers {
  dovecot: RunningDovecot;
  smtp: RunningSmtpSink;
}

async function startMail({ dir, log, onStarted }: { dir: string; log: (line: string) => void; onStarted: (stop: Stopper) => void }): Promise<MailServers> {
  const cert = await createSelfSignedCert({ dir: join(dir, 'tls'), log });
  const dovecot = await startDovecot({ dir, log, cert });
  onStarted(() => dovecot.stop());
  // After Dovecot, because the sink checks AUTH against Dovecot's live user list.
  const smtp = await startSmtpSink({ dir, tls: cert, log, users: dovecot.users });
  onStarted(() => smtp.stop());
  return { dovecot, smtp };
}

function mailEnv({ dovecot, smtp }: MailServers): Record<string, string> {
  return {
    MAILBUS_TEST_MAIL_HOST: dovecot.host,
    MAILBUS_TEST_IMAP_PORT: String(dovecot.imapPort),
    MAILBUS_TEST_IMAPS_PORT: String(dovecot.imapsPort),
    MAILBUS_TEST_POP3_PORT: String(dovecot.pop3Port),
    MAILBUS_TEST_POP3S_PORT: String(dovecot.pop3sPort),
    MAILBUS_TEST_LMTP_PORT: String(dovecot.lmtpPort),
    MAILBUS_TEST_SMTP_PORT: String(smtp.port),
    MAILBUS_TEST_SMTP_SINK_DIR: smtp.dir,
    MAILBUS_TEST_TLS_CA_FILE: dovecot.certFile,
  };
}

/**
 * Brings up the servers mailbus needs on free loopback ports in a fresh temp dir, and tears them
 * down again. NATS_URL and MONGODB_URL in the environment are used instead of starting our own.
 * With `mail: true` it adds Dovecot and the SMTP sink (see startDovecot, startSmtpSink).
 */
export async function startStack({ mail = false, log = () => undefined, keepDir = false, ownServers = false, idIndexes }: StackOptions = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'mailbus-stack-'));
  // Servers are independent of each other; they stop in the reverse order they came up.
  const stoppers: Stopper[] = [];
  const onStarted = (stopper: Stopper): void => void stoppers.push(stopper);
  const pids: Stack['pids'] = {};
  const servers: Stack['servers'] = {};
  const external = (name: 'NATS_URL' | 'MONGODB_URL'): string | undefined => (ownServers ? undefined : process.env[name]);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const errors: unknown[] = [];
      for (const stopper of [...stoppers].reverse()) await stopper().catch((error: unknown) => errors.push(error));
      if (!keepDir) await rm(dir, { recursive: true, force: true });
      if (errors.length > 0) throw new AggregateError(errors, 'some servers of the stack failed to stop');
    })();
    return stopping;
  };

  // allSettled, not all: on a failure every server that did come up must be registered before stop().
  const [nats, ferret, mailServers] = await Promise.allSettled([
    external('NATS_URL') ??
      startNats({ dir, log }).then((started) => {
        onStarted(() => started.process.stop());
        pids.nats = started.process.pid;
        servers.nats = started.process;
        return started.url;
      }),
    external('MONGODB_URL') ??
      startFerretDb({ dir, log, ...(idIndexes === undefined ? {} : { idIndexes }) }).then((started) => {
        onStarted(() => started.stop());
        pids.ferretdb = started.process.pid;
        servers.ferretdb = started.process;
        return started.url;
      }),
    mail ? startMail({ dir, log, onStarted }) : undefined,
  ]);
  if (nats.status === 'rejected' || ferret.status === 'rejected' || mailServers.status === 'rejected') {
    await stop().catch(() => undefined);
    throw [nats, ferret, mailServers].map((result) => (result.status === 'rejected' ? result.reason : undefined)).find(Boolean);
  }
  const natsUrl = nats.value;
  const mongoUrl = ferret.value;
  return { dir, natsUrl, mongoUrl, ...mailServers.value, env: { NATS_URL: natsUrl, MONGODB_URL: mongoUrl, ...(mailServers.value ? mailEnv(mailServers.value) : {}) }, pids, servers, stop };
}
