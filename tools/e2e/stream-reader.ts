import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS_STREAM } from '@mailbus/contracts';

export interface StoredEvent {
  subject: string;
  seq: number;
  msgId?: string;
  data: Uint8Array;
}

/**
 * Reads every event on a subject straight from the MAILBUS stream (no consumer state), so a test sees
 * exactly what was published, raw bytes included.
 */
export async function readStoredEvents({ natsUrl, subject }: { natsUrl: string; subject: string }): Promise<StoredEvent[]> {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(EVENTS_STREAM.name);
    const events: StoredEvent[] = [];
    for (let seq = info.state.first_seq; seq > 0 && seq <= info.state.last_seq; seq += 1) {
      const message = await jsm.streams.getMessage(EVENTS_STREAM.name, { seq }).catch(() => null);
      if (message?.subject === subject) events.push({ subject: message.subject, seq, msgId: message.header?.get('Nats-Msg-Id') || undefined, data: message.data });
    }
    return events;
  } finally {
    await nc.close();
  }
}
