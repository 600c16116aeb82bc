import type { MessageFetched } from '@mailbus/contracts';
import { timestampDate } from '@mailbus/contracts';
import type { ParsedMessage } from '@mailbus/mime';
import { firstMessageId, threadIdFor } from '@mailbus/mime';
import type { MessageDocument } from '../messages/message.document';
import { messageIdFor } from '../messages/message.repository';
import { fromFolderRoleProto } from '../routing';
import { cut, listedAddress, listedAddresses, listedAttachments, listedAttendees } from './listed-fields.util';

/** Fetch keys of mail sent by mailbus (message.sent), which no fetcher made: `sent:<outbox id>`. */
export const SENT_FETCH_KEY_PREFIX = 'sent:';

/** Headers kept on the record for GET /messages/:id; the raw source has them all. */
const MAX_STORED_HEADERS = 200;
const MAX_HEADER_VALUE = 4_000;

/**
 * The message's own parts of the record; what the fetcher knows (where it came from) is added by
 * `fromFetched`. Its id derives from the account and the identity (see messageIdFor).
 */
export function messageDocument({ event, parsed, parseError, routedAt }: { event: MessageFetched; parsed?: ParsedMessage; parseError?: string; routedAt: Date }): Omit<MessageDocument, 'deliveryIds'> {
  const messageIdHeader = parsed?.messageIdHeader ?? (event.messageIdHeader || undefined);
  const identity = identityOf({ messageIdHeader, sha256: event.sha256 });
  const id = messageIdFor({ accountId: event.accountId, identity });
  const base = { ...fromFetched({ id, event }), identity, ...(messageIdHeader ? { messageIdHeader } : {}) };
  if (!parsed) {
    return { ...base, references: [], threadId: `t-${id}`, to: [], cc: [], bcc: [], replyTo: [], subject: '', headers: [], text: '', htmlHasRemoteContent: false, attachments: [], spam: { spam: false }, parseError: parseError ?? 'the message could not be parsed', routedAt };
  }
  return {
    ...base,
    ...(parsed.inReplyTo ? { inReplyTo: parsed.inReplyTo } : {}),
    references: parsed.references,
    threadId: threadIdFor({ ...parsed, messageIdHeader }, { fallbackKey: id }),
    ...(parsed.date ? { date: parsed.date } : {}),
    ...(parsed.from ? { from: listedAddress(parsed.from) } : {}),
    ...(parsed.sender ? { sender: listedAddress(parsed.sender) } : {}),
    to: listedAddresses(parsed.to),
    cc: listedAddresses(parsed.cc),
    bcc: listedAddresses(parsed.bcc),
    replyTo: listedAddresses(parsed.replyTo),
    subject: cut(parsed.subject),
    headers: parsed.headers.slice(0, MAX_STORED_HEADERS).map(({ key, value }) => ({ key, value: value.slice(0, MAX_HEADER_VALUE) })),
    text: parsed.text,
    ...(parsed.html !== undefined ? { html: parsed.html } : {}),
    htmlHasRemoteContent: parsed.htmlHasRemoteContent,
    attachments: listedAttachments(parsed.attachments),
    ...(parsed.calendar
      ? {
          calendar: {
            method: parsed.calendar.method,
            uid: cut(parsed.calendar.uid),
            sequence: parsed.calendar.sequence,
            ...(parsed.calendar.start ? { start: parsed.calendar.start.toISOString() } : {}),
            ...(parsed.calendar.end ? { end: parsed.calendar.end.toISOString() } : {}),
            allDay: parsed.calendar.allDay,
            ...(parsed.calendar.organizer ? { organizer: listedAddress(parsed.calendar.organizer) } : {}),
            attendees: listedAttendees(parsed.calendar.attendees),
            summary: cut(parsed.calendar.summary),
            location: cut(parsed.calendar.location),
            rrule: cut(parsed.calendar.rrule),
          },
        }
      : {}),
    spam: parsed.spam,
    routedAt,
  };
}

function fromFetched({ id, event }: { id: string; event: MessageFetched }): Pick<MessageDocument, '_id' | 'accountId' | 'fetchKey' | 'blobId' | 'size' | 'sha256' | 'source' | 'receivedAt'> {
  const imap = event.uidValidity > 0;
  const protocol = imap ? 'imap' : event.fetchKey.startsWith(SENT_FETCH_KEY_PREFIX) ? 'smtp' : 'pop3';
  return {
    _id: id,
    accountId: event.accountId,
    fetchKey: event.fetchKey,
    blobId: event.blobId,
    size: event.size,
    sha256: event.sha256,
    source: { protocol, folder: event.folder, folderRole: fromFolderRoleProto(event.folderRole), ...(imap ? { uidValidity: event.uidValidity, uid: event.uid } : protocol === 'pop3' ? { uidl: event.uidl } : {}) },
    receivedAt: event.internalDate ? timestampDate(event.internalDate) : event.fetchedAt ? timestampDate(event.fetchedAt) : new Date(),
  };
}

/**
 * What makes two fetched copies the same mail for a user: the Message-ID, else the exact bytes. The
 * same mail through two accounts (or a re-fetch after a lost checkpoint) is then one delivery. The id
 * is bracketed as the parser gives it: the fetcher's, used when parsing failed, comes without brackets.
 */
export function identityOf({ messageIdHeader, sha256 }: { messageIdHeader?: string; sha256: string }): string {
  const bare = messageIdHeader?.trim().replace(/^<|>$/g, '');
  return bare ? `mid:${firstMessageId(bare) ?? `<${bare}>`}` : `sha256:${sha256}`;
}
