import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { EventDefinition, EventInit, EventPayload } from './event-definition';

/**
 * Serialises an event for the wire. Missing fields take their proto3 defaults.
 * @example const bytes = encodeEvent(Events.spamMarked, { requestId, messageId, userId, accountId, spam: true })
 */
export function encodeEvent<Def extends EventDefinition>(def: Def, init: EventInit<Def>): Uint8Array {
  return toBinary<Def['schema']>(def.schema, create<Def['schema']>(def.schema, init));
}

/**
 * Parses an event from the wire. Unknown fields (from a newer producer) are kept, not rejected;
 * throws on bytes that are not a valid encoding of the schema.
 * @example const event = decodeEvent(Events.messageFetched, msg.data)
 */
export function decodeEvent<Def extends EventDefinition>(def: Def, bytes: Uint8Array): EventPayload<Def> {
  return fromBinary<Def['schema']>(def.schema, bytes);
}
