/**
 * Names on the bus: the single source of truth for stream, subject and dead-letter names.
 * Handlers and publishers never spell a subject themselves.
 */
export const SUBJECT_PREFIX = 'mailbus.v1';

/** Every event of SPEC §5 lives on this one stream. */
export const EVENTS_STREAM = { name: 'MAILBUS', subjects: [`${SUBJECT_PREFIX}.>`] } as const;

/** Events whose handler failed for the last allowed time, with the error, kept for operators. */
export const DEAD_LETTER_STREAM = { name: 'MAILBUS_DLQ', subjects: ['mailbus.dlq.>'] } as const;

/** `mailbus.dlq.<consumer>.<original subject>`: one place per consumer, so a replay targets one service. */
export const deadLetterSubject = ({ consumer, subject }: { consumer: string; subject: string }): string => `mailbus.dlq.${consumer}.${subject}`;

/** Durable consumer names may not contain dots: `message-router__message_fetched`. */
export const durableConsumerName = ({ service, event }: { service: string; event: string }): string => `${service}__${event.replace(/[.\s*>]/g, '_')}`;
