import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { SUBJECT_PREFIX } from './streams';

/** One event of SPEC §5: its JetStream subject and its protobuf schema. */
export interface EventDefinition<Desc extends DescMessage = DescMessage> {
  /** Short name used in durable consumer names and metrics, e.g. `message.fetched`. */
  readonly name: string;
  /** Subject on the MAILBUS stream, e.g. `mailbus.v1.message.fetched`. */
  readonly subject: string;
  readonly schema: Desc;
}

export type EventPayload<Def extends EventDefinition> = MessageShape<Def['schema']>;
export type EventInit<Def extends EventDefinition> = MessageInitShape<Def['schema']>;

// `<aggregate>.<past-tense event>`: lowercase tokens only, so a name can never smuggle a NATS
// wildcard or an empty token into a subject.
const EVENT_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Pairs an event name with its schema and derives the subject from it.
 * @example defineEvent({ name: 'message.fetched', schema: MessageFetchedSchema }).subject // 'mailbus.v1.message.fetched'
 */
export function defineEvent<const Name extends string, Desc extends DescMessage>({
  name,
  schema,
}: {
  name: Name;
  schema: Desc;
}): EventDefinition<Desc> & { readonly name: Name; readonly subject: `${typeof SUBJECT_PREFIX}.${Name}` } {
  if (!EVENT_NAME.test(name)) throw new Error(`invalid event name "${name}": expected <aggregate>.<event> in lowercase`);
  return Object.freeze({ name, subject: `${SUBJECT_PREFIX}.${name}` as const, schema });
}
