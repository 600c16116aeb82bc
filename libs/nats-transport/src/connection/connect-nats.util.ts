import type { LoggerService } from '@nestjs/common';
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import { backoffDelay } from './backoff-delay.util';
import { interruptibleSleep } from './interruptible-sleep.util';
import { redactNatsUrl } from './redact-nats-url.util';

type ConnectLogger = Pick<LoggerService, 'log' | 'warn' | 'error' | 'debug'>;

const RECONNECT = { initialMs: 250, maxMs: 10_000 };
// A dead peer is noticed after pingInterval × maxPingOut (1 min) instead of the client's default 4 min.
export const PING = { pingInterval: 20_000, maxPingOut: 3 };
const CONNECT_TIMEOUT_MS = 5_000;

/** `nats://a:4222, nats://b:4222` → the URLs, as the client takes them. */
export const natsServerList = (servers: string): string[] =>
  servers
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);

/**
 * Connects to NATS, retrying forever with capped, jittered backoff: at a cold start (compose, a rolling
 * cluster) the server often comes up after the services, and a service without NATS cannot do anything
 * useful anyway. Once connected, the client reconnects forever with the same backoff, and every change
 * of the connection's status is logged.
 */
export async function connectNats({ options, logger }: { options: ResolvedJetStreamOptions; logger: ConnectLogger }): Promise<NatsConnection> {
  const servers = natsServerList(options.servers);
  const target = redactNatsUrl(servers.join(','));
  // Dial attempts since the connection was lost, counted from the status stream; the client asks the
  // handler for a delay before each dial, so the backoff grows while the server stays away.
  const reconnect = { failedDials: 0 };
  for (let attempt = 1; ; attempt++) {
    try {
      const nc: NatsConnection = await connect({
        servers,
        name: options.connectionName,
        timeout: CONNECT_TIMEOUT_MS,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectDelayHandler: () => (reconnect.failedDials === 0 ? 0 : backoffDelay({ attempt: reconnect.failedDials, ...RECONNECT })),
        // Otherwise every request (each JetStream publish and ack) captures a stack trace up front, in case
        // it fails: 2–3 % of the fetcher's CPU in bench:fetch. A failure still says what failed (timeout,
        // no responders), and the caller's log says which event; only the trace of where it began goes.
        noAsyncTraces: true,
        ...PING,
      });
      logger.log(`connected to NATS at ${target}${attempt > 1 ? ` on attempt ${attempt}` : ''}`);
      void watchStatus({ nc, logger, reconnect });
      return nc;
    } catch (error) {
      const delayMs = backoffDelay({ attempt, ...RECONNECT });
      logger.warn(`NATS at ${target} not reachable (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}; retrying in ${delayMs} ms`);
      await interruptibleSleep(delayMs).done;
    }
  }
}

async function watchStatus({ nc, logger, reconnect }: { nc: NatsConnection; logger: ConnectLogger; reconnect: { failedDials: number } }): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'reconnecting') reconnect.failedDials++;
    if (status.type === 'reconnect') reconnect.failedDials = 0;
    logStatus({ status, logger, failedDials: reconnect.failedDials });
  }
}

function logStatus({ status, logger, failedDials }: { status: Status; logger: ConnectLogger; failedDials: number }): void {
  switch (status.type) {
    case 'disconnect':
      return logger.warn(`NATS connection to ${redactNatsUrl(status.server)} lost; reconnecting`);
    case 'reconnect':
      return logger.log(`NATS connection restored to ${redactNatsUrl(status.server)}`);
    case 'reconnecting':
      // The first dial after a loss is routine; repeated ones mean the server stays away.
      if (failedDials >= 4 && (failedDials & (failedDials - 1)) === 0) logger.warn(`NATS still unreachable after ${failedDials} reconnect attempts`);
      return;
    case 'ldm':
      return logger.warn(`NATS server ${redactNatsUrl(status.server)} entered lame duck mode; the client will move to another server`);
    case 'error':
      return logger.error(`NATS connection error: ${status.error.message}`);
    case 'staleConnection':
      return logger.warn('NATS connection is stale (no PONG); reconnecting');
    case 'slowConsumer':
      return logger.warn(`NATS slow consumer on ${status.sub.getSubject()} with ${status.pending} pending messages`);
    case 'close':
      return logger.log('NATS connection closed');
    default:
      logger.debug?.(`NATS status ${status.type}`);
  }
}
