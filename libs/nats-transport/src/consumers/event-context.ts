import type { JsMsg } from '@nats-io/jetstream';
import { MSG_ID_HEADER } from '../jetstream.constants';

/** What a handler may know about the delivery of the event it handles. */
export interface EventContext {
  /** The event's subject, e.g. `mailbus.v1.message.fetched`. */
  readonly subject: string;
  /** The publisher's Nats-Msg-Id (its de-duplication key); empty if it set none. */
  readonly msgId: string;
  /** 1 on the first delivery, higher on redeliveries. */
  readonly deliveryCount: number;
  /** Position of the event in the MAILBUS stream. */
  readonly streamSeq: number;
  /** Message headers, first value per name. */
  readonly headers: Readonly<Record<string, string>>;
  /** Restarts the server's ack-wait timer: call it regularly from handlers that may run longer than ackWaitMs. */
  working(): void;
}

/** Builds a handler's EventContext; `working` is ignored once the event has been handed back at shutdown. */
export function eventContextFor({ msg, isReleased }: { msg: JsMsg; isReleased: () => boolean }): EventContext {
  const headers: Record<string, string> = {};
  for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers?.get(key) ?? '';
  return Object.freeze({
    subject: msg.subject,
    msgId: msg.headers?.get(MSG_ID_HEADER) ?? '',
    deliveryCount: msg.info.deliveryCount,
    streamSeq: msg.seq,
    headers: Object.freeze(headers),
    working: () => {
      if (!isReleased()) msg.working();
    },
  });
}
