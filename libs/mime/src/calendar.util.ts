import ICAL from 'ical.js';
import type { CalendarAttendee, MailAddress, ParsedCalendar } from './parsed-message.types';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalTimezone = InstanceType<typeof ICAL.Timezone>;

const DAY_MS = 86_400_000;

/** Thrown for iCalendar text that holds no usable event; the message itself still parses. */
export class CalendarParseError extends Error {
  override readonly name = 'CalendarParseError';
}

/** Offset of an IANA zone from UTC at a given instant, in ms (Intl knows the tz database, ical.js does not). */
const ianaOffsetMs = (timeZone: string, utcMs: number): number => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - utcMs;
};

const wallClockInIana = (wallMs: number, timeZone: string): number | undefined => {
  try {
    const first = wallMs - ianaOffsetMs(timeZone, wallMs);
    return wallMs - ianaOffsetMs(timeZone, first);
  } catch {
    return undefined; // not an IANA name Intl knows
  }
};

/**
 * An iCalendar date-time as an instant. The zone is resolved from the calendar's own VTIMEZONE first (Outlook
 * sends Windows names with their rules), then as an IANA name; floating and unknown zones are read as UTC.
 * ical.js's global TimezoneService is not used: it is shared by all messages, and one message must not be
 * able to redefine a zone for the next.
 */
const toInstant = (property: IcalProperty | null, zones: Map<string, IcalTimezone>): { date: Date; allDay: boolean } | undefined => {
  const time = property?.getFirstValue() as IcalTime | null | undefined;
  if (!property || !time || typeof time !== 'object' || !('year' in time)) return undefined;
  const wallMs = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  if (time.isDate) return { date: new Date(Date.UTC(time.year, time.month - 1, time.day)), allDay: true };
  if (time.zone?.tzid === 'UTC') return { date: new Date(wallMs), allDay: false };
  const tzid = property.getParameter('tzid');
  const tzidName = typeof tzid === 'string' ? tzid : undefined;
  const zone = tzidName === undefined ? undefined : zones.get(tzidName);
  if (zone) return { date: new Date(wallMs - zone.utcOffset(time) * 1000), allDay: false };
  const iana = tzidName === undefined ? undefined : wallClockInIana(wallMs, tzidName.replace(/^\//, ''));
  return { date: new Date(iana ?? wallMs), allDay: false };
};

const toMailAddress = (property: IcalProperty): MailAddress | undefined => {
  const value = String(property.getFirstValue() ?? '').trim();
  const address = value.replace(/^mailto:/i, '');
  const cn = property.getParameter('cn');
  const name = typeof cn === 'string' ? cn.trim() : '';
  return address || name ? { address, name } : undefined;
};

const toAttendee = (property: IcalProperty): CalendarAttendee | undefined => {
  const address = toMailAddress(property);
  if (!address) return undefined;
  const partstat = property.getParameter('partstat');
  const rsvp = property.getParameter('rsvp');
  return { address, partstat: typeof partstat === 'string' ? partstat.toUpperCase() : 'NEEDS-ACTION', rsvp: typeof rsvp === 'string' && rsvp.toUpperCase() === 'TRUE' };
};

const text = (component: IcalComponent, name: string): string => {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? '' : String(value).trim();
};

const readZones = (calendar: IcalComponent): Map<string, IcalTimezone> => {
  const zones = new Map<string, IcalTimezone>();
  for (const component of calendar.getAllSubcomponents('vtimezone')) {
    try {
      const zone = new ICAL.Timezone(component);
      if (zone.tzid) zones.set(zone.tzid, zone);
    } catch {
      // a broken VTIMEZONE: its times fall back to IANA/UTC
    }
  }
  return zones;
};

/**
 * Reads the first VEVENT of an iCalendar object (a text/calendar part) with ical.js. `methodHint` is the
 * `method` parameter of the part's Content-Type, used when the VCALENDAR has no METHOD. All-day events start
 * at 00:00 UTC of their date, and an all-day event without DTEND/DURATION lasts one day (RFC 5545 §3.6.1).
 * Throws CalendarParseError for text that is not iCalendar or has no VEVENT.
 *
 * @example parseCalendar(icsText, { methodHint: 'REQUEST' }).uid
 */
export const parseCalendar = (ics: string, { methodHint }: { methodHint?: string } = {}): ParsedCalendar => {
  let calendar: IcalComponent;
  try {
    const parsed = ICAL.parse(ics) as unknown;
    const first = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed[0] : parsed;
    calendar = new ICAL.Component(first as unknown[]);
  } catch (error) {
    throw new CalendarParseError(`not iCalendar: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (calendar.name !== 'vcalendar') throw new CalendarParseError(`not iCalendar: top component is ${calendar.name}`);
  const event = calendar.getFirstSubcomponent('vevent');
  if (!event) throw new CalendarParseError('the calendar has no VEVENT');

  const zones = readZones(calendar);
  const start = toInstant(event.getFirstProperty('dtstart'), zones);
  const allDay = start?.allDay ?? false;
  let end = toInstant(event.getFirstProperty('dtend'), zones)?.date;
  const duration = event.getFirstPropertyValue('duration');
  if (!end && start && duration instanceof ICAL.Duration) end = new Date(start.date.getTime() + duration.toSeconds() * 1000);
  if (!end && start && allDay) end = new Date(start.date.getTime() + DAY_MS);
  const sequence = Number(event.getFirstPropertyValue('sequence') ?? 0);
  const organizer = event.getFirstProperty('organizer');
  const rrule = event.getFirstPropertyValue('rrule');

  return {
    method: (text(calendar, 'method') || methodHint || '').toUpperCase(),
    uid: text(event, 'uid'),
    sequence: Number.isFinite(sequence) ? sequence : 0,
    start: start?.date,
    end,
    allDay,
    organizer: organizer ? toMailAddress(organizer) : undefined,
    attendees: event.getAllProperties('attendee').flatMap((p) => toAttendee(p) ?? []),
    summary: text(event, 'summary'),
    location: text(event, 'location'),
    rrule: rrule ? rrule.toString() : '',
  };
};
