import { MessageParseError } from '@mailbus/mime';

/** Deliveries of message.fetched whose parse may time out before the message is quarantined (within the consumer's maxDeliver of 5). */
export const PARSE_TIMEOUT_ATTEMPTS = 3;

/**
 * Whether a failed parse should come back instead of quarantining the message. Only a timeout, and
 * only on the first deliveries: its clock runs over reading the blob too, so a slow store or a starved
 * CPU is not yet proof that the message is unparseable. Malformed input fails the same way every time.
 */
export function parseTriedAgain({ error, deliveryCount }: { error: unknown; deliveryCount: number }): boolean {
  return error instanceof MessageParseError && error.code === 'TIMEOUT' && deliveryCount < PARSE_TIMEOUT_ATTEMPTS;
}
