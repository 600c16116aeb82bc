import { PING, natsServerList } from './connect-nats.util';

/** The wait between two dials while the server is away (the client adds up to 100 ms of jitter). */
const RECONNECT_WAIT_MS = 1_000;

/**
 * Options for the NATS connections of Nest's request/reply transport (the api's ClientProxy and every
 * service's microservice server), which opens connections of its own. The client library's default
 * gives up after 10 dials, about 20 s: the connection then closes for good, and until a restart the
 * service answers no request, or the api reaches none. These dial forever, like the JetStream
 * connection (connectNats), and notice a dead peer as soon.
 * @example ClientProxyFactory.create({ transport: Transport.NATS, options: rpcConnectionOptions({ servers: url, name: 'mailbus-api-rpc-client' }) })
 */
export function rpcConnectionOptions({ servers, name }: { servers: string; name: string }) {
  return {
    servers: natsServerList(servers),
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    ...PING,
  };
}
