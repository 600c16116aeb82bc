import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS_STREAM } from '@mailbus/contracts';

export interface StoredEvent {
  subject: string;
  seq: number;
  msgId?: string;
  data: Uint8Array;
}

/**
 * Reads every event on a subject straight from the MAILBUS stream through an ordered consumer of its
 * own (no durable state touched), so a test sees exactly what was published, raw bytes included.
 */
export async function readStoredEvents({ natsUrl, subject }: { natsUrl: string; subject: string }): Promise<StoredEvent[]> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const events: StoredEvent[] = [];
    const stored = (await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM.name, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
    if (stored === 0) return events;
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM.name, { filter_subjects: subject });
    const messages = await consumer.consume();
    for await (const message of messages) {
      events.push({ subject: message.subject, seq: message.seq, msgId: message.headers?.get('Nats-Msg-Id') || undefined, data: message.data });
      if (message.info.pending === 0) break;
    }
    await messages.close();
    return events;
  } finally {
    await nc.close();
  }
}

/** Whether a durable consumer (e.g. `message-router__message_fetched`) has handled every event stored so far: none pending, none unacknowledged. */
export async function consumerCaughtUp({ natsUrl, durable }: { natsUrl: string; durable: string }): Promise<boolean> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(EVENTS_STREAM.name, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  } finally {
    await nc.close();
  }
}
