/**
 * The message record that message-router builds from a raw message. Everything here is derived from the raw
 * bytes, which are stored once; attachments are not copied but served from the raw source again
 * (see openAttachment).
 */

/** One header field as it appears in the message: `key` lower-case, `value` unfolded but not decoded. */
export interface HeaderLine {
  key: string;
  value: string;
}

/** A mailbox for display: encoded words and IDN domains decoded. `name` is '' when the header gave none. */
export interface MailAddress {
  address: string;
  name: string;
}

export interface ParsedAttachment {
  /** 0-based, in the order mailparser emits attachments; openAttachment uses the same index. */
  index: number;
  /** The part's file name, or a generated `attachment-<n>.<ext>` when the part names none. */
  filename: string;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Without angle brackets, to match `cid:` URLs in the HTML. */
  contentId?: string;
  /** Shown inside the body (Content-Disposition inline, or an embedded multipart/related part with a Content-ID). */
  inline: boolean;
  /** The IMAP-style part number ('1.2'); informational, the index is what finds the part again. */
  partPath?: string;
}

export interface CalendarAttendee {
  address: MailAddress;
  /** Upper-case PARTSTAT, 'NEEDS-ACTION' when absent (the RFC 5545 default). */
  partstat: string;
  rsvp: boolean;
}

export interface ParsedCalendar {
  /** Upper-case METHOD (REQUEST, CANCEL, REPLY, PUBLISH…), '' when neither the part nor the VCALENDAR names one. */
  method: string;
  uid: string;
  sequence: number;
  start?: Date;
  end?: Date;
  allDay: boolean;
  organizer?: MailAddress;
  attendees: CalendarAttendee[];
  summary: string;
  location: string;
  /** The RRULE value as written (`FREQ=WEEKLY;BYDAY=MO`), '' for a single event. */
  rrule: string;
}

export interface SpamVerdict {
  spam: boolean;
  /** The lower-case name of the header that decided; absent when no known verdict header was found. */
  source?: string;
  score?: number;
}

export interface ParsedMessage {
  headers: HeaderLine[];
  /** With angle brackets, as in the header. */
  messageIdHeader?: string;
  inReplyTo?: string;
  /** Oldest first, as in the header. */
  references: string[];
  /** Absent when the Date header is missing or cannot be read (never "now"). */
  date?: Date;
  from?: MailAddress;
  sender?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  /** Decoded; '' when missing. */
  subject: string;
  /** Every text/plain part (HTML converted to text when there is no plain part), at most maxBodyChars. */
  text: string;
  /** Sanitised for display, see sanitizeHtml; absent when the message has no HTML part. Cut at maxBodyChars before sanitising. */
  html?: string;
  /** The HTML referred to remote images; they were disabled (moved to data-remote-src). */
  htmlHasRemoteContent: boolean;
  attachments: ParsedAttachment[];
  /** The first usable text/calendar part. */
  calendar?: ParsedCalendar;
  /** Why a text/calendar part was present but gave no calendar. */
  calendarError?: string;
  spam: SpamVerdict;
  /** Size of the raw message in bytes. */
  size: number;
  /** Set when text or html was cut at maxBodyChars. */
  truncated?: { text?: boolean; html?: boolean };
}
