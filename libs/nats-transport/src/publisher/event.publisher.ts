import { Inject, Injectable, Optional } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import type { EventDefinition, EventInit } from '@mailbus/contracts';
import { JetStreamClients } from '../connection/jetstream-clients.provider';
import { JETSTREAM_OBSERVER } from '../jetstream.constants';
import type { JetStreamObserver } from '../observer/jetstream.observer';
import { safeObserver } from '../observer/safe-observer.util';
import { publishWithRetry } from './publish-with-retry.util';

/** Where a published event landed in the stream, and whether JetStream already had it. */
export interface PublishResult {
  seq: number;
  /** True when an event with the same msgId was stored within the duplicate window: nothing new was stored. */
  duplicate: boolean;
}

/**
 * Publishes events to the MAILBUS stream. The returned promise resolves once JetStream has stored the
 * event (PubAck): only then is it durable, so side effects that must not precede the event (deleting a
 * message on the mail server) wait for it. Transient failures are retried a few times.
 */
@Injectable()
export class EventPublisher {
  private readonly observer: JetStreamObserver;

  constructor(
    private readonly clients: JetStreamClients,
    @Optional() @Inject(JETSTREAM_OBSERVER) observer?: JetStreamObserver,
  ) {
    this.observer = safeObserver(observer);
  }

  /**
   * @param msgId deterministic id of this event (e.g. the fetch key): a republish with the same id within
   *   the duplicate window is dropped by JetStream and reported as `duplicate`.
   * @example await publisher.publish(Events.messageFetched, { fetchKey, accountId }, { msgId: fetchKey });
   */
  async publish<Def extends EventDefinition>(def: Def, payload: EventInit<Def>, { msgId }: { msgId: string }): Promise<PublishResult> {
    if (!msgId) throw new Error(`publish ${def.name}: msgId is required so that JetStream can drop duplicates`);
    const data = toBinary<Def['schema']>(def.schema, create<Def['schema']>(def.schema, payload));
    const ack = await publishWithRetry({ js: this.clients.js, subject: def.subject, data, msgId, recover: () => this.clients.streams.ensureStreams() });
    this.observer.onPublished({ event: def.name, duplicate: ack.duplicate });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }
}
