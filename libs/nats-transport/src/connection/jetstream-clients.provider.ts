import { Logger, type FactoryProvider } from '@nestjs/common';
import { jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { JETSTREAM_MODULE_OPTIONS, NATS_CONNECTION } from '../jetstream.constants';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import { StreamProvisioner } from '../streams/stream.provisioner';

// JetStream API calls and PubAcks: long enough for a busy or clustered server, short enough that a lost
// answer is retried before a caller's own timeout.
const API_TIMEOUT_MS = 5_000;

/** The JetStream clients of the process, available once the streams exist (internal). */
export class JetStreamClients {
  constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly streams: StreamProvisioner,
  ) {}
}

/** Builds the clients and provisions the streams before anything can publish or consume. */
export const jetStreamClientsProvider: FactoryProvider<Promise<JetStreamClients>> = {
  provide: JetStreamClients,
  inject: [NATS_CONNECTION, JETSTREAM_MODULE_OPTIONS],
  useFactory: async (nc: NatsConnection, options: ResolvedJetStreamOptions): Promise<JetStreamClients> => {
    const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
    const streams = new StreamProvisioner({ jsm, options, logger: new Logger('JetStream') });
    await streams.ensureStreams();
    return new JetStreamClients(nc, jsm.jetstream(), jsm, streams);
  },
};
