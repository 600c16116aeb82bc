/**
 * `npm start`: the local stack (NATS, FerretDB, Dovecot, SMTP sink) plus all six services, until
 * Ctrl-C or SIGTERM, which stops everything it started. Uses NATS_URL / MONGODB_URL when set.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SERVICES } from '@mailbus/contracts';
import { generateSecretKey } from '@mailbus/crypto';
import { startStack } from '@mailbus/testing';
import { devApiTokens } from './dev-api-tokens.util';
import { launchService, waitUntilReady, type LaunchedService } from './service-launcher';

const READY_TIMEOUT_MS = 60_000;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const stack = await startStack({ mail: true, keepDir: process.env.MAILBUS_KEEP_STACK === '1', log: (line) => say(`[stack] ${line}`) });
  const stackUpAt = Date.now();
  say(`[stack] up in ${stackUpAt - startedAt} ms: NATS ${stack.natsUrl}, MongoDB ${stack.mongoUrl}, data and logs in ${stack.dir}`);

  // The one secret this prints: an admin token for this run (MAILBUS_DEV_TOKEN pins it across runs).
  const devToken = process.env.MAILBUS_DEV_TOKEN ?? randomBytes(18).toString('base64url');
  const env = {
    ...stack.env,
    MAILBUS_ENV: 'development',
    MAILBUS_API_TOKENS: devApiTokens({ configured: process.env.MAILBUS_API_TOKENS, devToken }),
    // A fresh key per run unless one is given: accounts created in one run are meant for that run's data dir.
    ...(process.env.MAILBUS_SECRET_KEY_FILE ? {} : { MAILBUS_SECRET_KEY: process.env.MAILBUS_SECRET_KEY ?? generateSecretKey() }),
    // The local stack's mail servers use a self-signed certificate; the services trust it, nothing else does.
    ...(stack.dovecot ? { NODE_EXTRA_CA_CERTS: stack.dovecot.certFile } : {}),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const logDir = join(stack.dir, 'logs');
  const apiPort = Number(process.env.API_PORT ?? 8080);
  const services: LaunchedService[] = [];

  let stopping = false;
  const stopAll = async (exitCode: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say('stopping services…');
    await Promise.all(services.map((launched) => launched.process.stop({ graceMs: 15_000 })));
    say('stopping stack…');
    await stack.stop();
    say('mailbus stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    for (const service of SERVICES) services.push(await launchService({ service, env, logDir, port: service === 'api' ? apiPort : undefined }));
    await Promise.all(services.map((launched) => waitUntilReady({ launched, timeoutMs: READY_TIMEOUT_MS })));
  } catch (error) {
    say(`start failed: ${(error as Error).message}`);
    return stopAll(1);
  }
  const readyAt = Date.now();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  say('');
  say(`mailbus is up: six services ready ${readyAt - stackUpAt} ms after the stack (${readyAt - startedAt} ms in all)`);
  say(`  API       ${apiUrl}/v1   (OpenAPI: ${apiUrl}/docs)`);
  say(`  dev token ${devToken}   (curl -H "Authorization: Bearer ${devToken}" ${apiUrl}/v1/status)`);
  say(`  logs      ${logDir}/<service>.log`);
  say('  Ctrl-C stops everything.');
  say(`mailbus-ready ${JSON.stringify({ apiUrl, devToken, stackDir: stack.dir, services: services.map(({ service, port, process }) => ({ service, port, pid: process.pid })), readyAfterStackMs: readyAt - stackUpAt })}`);

  for (const launched of services) {
    void launched.process.exited.then(() => {
      if (!stopping) {
        say(`${launched.service} exited unexpectedly; see ${launched.process.logFile}`);
        void stopAll(1);
      }
    });
  }
}

main().catch((error: Error) => {
  say(`mailbus start failed: ${error.message}`);
  process.exit(1);
});
