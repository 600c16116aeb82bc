import { Injectable, Logger } from '@nestjs/common';
import { EVENTS_STREAM } from '@mailbus/contracts';
import { JetStreamClients } from '../connection/jetstream-clients.provider';
import { EventHandlerExplorer } from './event-handler.explorer';

/** How far one durable consumer of this service is behind the MAILBUS stream. */
export interface ConsumerBacklog {
  /** The durable consumer's name, e.g. message-router__message_fetched. */
  consumer: string;
  /** Events of the stream not yet delivered to the consumer (JetStream's num_pending). */
  pending: number;
  /** Events delivered and not yet acknowledged (num_ack_pending). */
  ackPending: number;
}

/**
 * Reads the backlog of every durable consumer this service consumes through, from JetStream's
 * consumer info (one API call per consumer; meant for a metrics scrape, not a hot path). The values
 * are the consumer's, so every replica of a service reports the same ones.
 * @example const backlog = await consumerBacklogProvider.read(); // [{ consumer, pending, ackPending }]
 */
@Injectable()
export class ConsumerBacklogProvider {
  private readonly logger = new Logger('JetStream');

  constructor(
    private readonly clients: JetStreamClients,
    private readonly explorer: EventHandlerExplorer,
  ) {}

  /** One entry per consumer that answered; a consumer whose info fails is left out (and logged). */
  async read(): Promise<ConsumerBacklog[]> {
    const results = await Promise.all(
      this.explorer.durables().map(async (consumer) => {
        try {
          const info = await this.clients.jsm.consumers.info(EVENTS_STREAM.name, consumer);
          return { consumer, pending: info.num_pending, ackPending: info.num_ack_pending };
        } catch (error) {
          this.logger.warn({ msg: 'consumer backlog not read', consumer, err: (error as Error).message });
          return undefined;
        }
      }),
    );
    return results.filter((result): result is ConsumerBacklog => result !== undefined);
  }
}
