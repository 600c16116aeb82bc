import { createHash } from 'node:crypto';
import type { ParsedMessage } from './parsed-message.types';

export type ThreadIdInput = Pick<ParsedMessage, 'messageIdHeader' | 'inReplyTo' | 'references' | 'subject'>;

/** Reply and forward prefixes in the languages our users' correspondents write in, with `[list]` tags. */
const SUBJECT_PREFIX = /^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|rif|tr|odp|r|enc|doorst)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]|\[[^\]]{1,40}\])\s*/i;

/** Subject without reply/forward prefixes and list tags, whitespace collapsed, lower-case. */
export const normalizeSubject = (subject: string): string => {
  let rest = subject.normalize('NFC');
  for (let previous = ''; previous !== rest;) {
    previous = rest;
    rest = rest.replace(SUBJECT_PREFIX, '');
  }
  return rest.replace(/\s+/g, ' ').trim().toLowerCase();
};

const normalizeId = (id: string): string => id.replace(/^<|>$/g, '').trim();

const hash = (kind: string, key: string): string => createHash('sha256').update(`${kind}\0${key}`).digest('hex').slice(0, 32);

/**
 * A deterministic thread id, computed from the message alone so that every replica and every redelivery
 * agrees without a lookup:
 * 1. the first References entry (the thread root, RFC 5322 §3.6.4), else
 * 2. In-Reply-To (a reply whose client dropped References joins its parent's thread only if the parent is the root), else
 * 3. the message's own Message-ID (a new thread; its replies name it as root), else
 * 4. the normalised subject (prefixes and list tags removed), else
 * 5. `fallbackKey` (e.g. the stored message id) so that id-less, subject-less messages are not all one thread.
 * Message ids are compared as written, brackets and surrounding blanks removed (their local part is case-sensitive).
 * The result is 32 hex characters (128 bits of sha256), the same namespace for all five cases.
 *
 * @example threadIdFor({ messageIdHeader: '<b@x>', inReplyTo: '<a@x>', references: ['<a@x>'], subject: 'Re: hi' }) === threadIdFor({ messageIdHeader: '<a@x>', references: [], subject: 'hi' })
 */
export const threadIdFor = (parsed: ThreadIdInput, { fallbackKey }: { fallbackKey?: string } = {}): string => {
  const root = [parsed.references[0], parsed.inReplyTo, parsed.messageIdHeader].map((id) => (id ? normalizeId(id) : '')).find((id) => id.length > 0);
  if (root) return hash('id', root);
  const subject = normalizeSubject(parsed.subject);
  if (subject || !fallbackKey) return hash('subject', subject);
  return hash('fallback', fallbackKey);
};
