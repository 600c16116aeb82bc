import type { CalendarAttendee, MailAddress, ParsedAttachment } from '@mailbus/mime';

/**
 * How much of a message its record lists and message.delivered announces. mailparser takes a head of
 * 1 MiB (some 75,000 addresses) and 1,000 MIME parts, while one NATS message holds 1 MiB: a bulk mail
 * would make an event JetStream refuses, and the delivery would never be announced. At most this many
 * addresses per field, attachments and attendees, each string cut; the raw source keeps everything.
 */
export const MAX_LISTED = 200;
const MAX_NAME_CHARS = 200;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets. */
const MAX_ADDRESS_CHARS = 256;
const MAX_TEXT_CHARS = 2_000;
const MAX_TOKEN_CHARS = 255;

/** `text` cut to `max` UTF-16 units, without leaving half a surrogate pair. */
export function cut(text: string, max = MAX_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

export const listedAddress = ({ address, name }: MailAddress): MailAddress => ({ address: cut(address, MAX_ADDRESS_CHARS), name: cut(name, MAX_NAME_CHARS) });

export const listedAddresses = (addresses: MailAddress[]): MailAddress[] => addresses.slice(0, MAX_LISTED).map(listedAddress);

export const listedAttachments = (attachments: ParsedAttachment[]): Array<Pick<ParsedAttachment, 'index' | 'filename' | 'contentType' | 'size' | 'contentId' | 'inline'>> =>
  attachments.slice(0, MAX_LISTED).map(({ index, filename, contentType, size, contentId, inline }) => ({ index, filename: cut(filename, MAX_TOKEN_CHARS), contentType: cut(contentType, MAX_TOKEN_CHARS), size, ...(contentId ? { contentId: cut(contentId, MAX_TOKEN_CHARS) } : {}), inline }));

export const listedAttendees = (attendees: CalendarAttendee[]): CalendarAttendee[] => attendees.slice(0, MAX_LISTED).map(({ address, partstat, rsvp }) => ({ address: listedAddress(address), partstat: cut(partstat, MAX_TOKEN_CHARS), rsvp }));
