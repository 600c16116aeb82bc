import type { OutboxItemDocument } from '../outbox/outbox-item.document';

/**
 * The id of the follow-up item that retries the recipients a server deferred: the original's id and
 * the number of the attempt that got them deferred. A follow-up of a follow-up counts on from the
 * original (its `retryOf`) instead of nesting, so ids stay short (the API takes ids of up to 64
 * characters). Unique per original: a follow-up inherits the attempts counted so far, so the number
 * only grows along the chain. The same for a repeat of that attempt after a crash (one follow-up).
 * @example followUpId({ _id: 'abc-r2', retryOf: 'abc', attempts: 5 }) // 'abc-r5'
 */
export function followUpId({ _id, retryOf, attempts }: Pick<OutboxItemDocument, '_id' | 'retryOf' | 'attempts'>): string {
  return `${retryOf ?? _id}-r${attempts}`;
}
