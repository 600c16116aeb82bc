import { describe, expect, it } from 'vitest';
import { CalendarParseError, parseCalendar } from './calendar.util';

const ics = (...lines: string[]): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR'].join('\r\n');

// prettier-ignore
const OUTLOOK_ZONE = [
  'BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time',
  'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];

describe(parseCalendar.name, () => {
  it('should read an Outlook invitation with its own VTIMEZONE', () => {
    const sut = parseCalendar(
      ics(
        'METHOD:REQUEST',
        ...OUTLOOK_ZONE,
        'BEGIN:VEVENT',
        'UID:040000008200E00074C5B7101A82E008',
        'SEQUENCE:2',
        'DTSTART;TZID=W. Europe Standard Time:20250714T100000',
        'DTEND;TZID=W. Europe Standard Time:20250714T113000',
        'SUMMARY:Besichtigung Musterstraße 5',
        'LOCATION:Musterstraße 5\\, Berlin',
        'ORGANIZER;CN="Anna Berger":mailto:anna@example.com',
        'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Bob:mailto:bob@example.org',
        'ATTENDEE;PARTSTAT=accepted:MAILTO:carl@example.org',
        'RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO',
        'END:VEVENT',
      ),
    );
    expect(sut).toEqual({
      method: 'REQUEST',
      uid: '040000008200E00074C5B7101A82E008',
      sequence: 2,
      start: new Date('2025-07-14T08:00:00Z'),
      end: new Date('2025-07-14T09:30:00Z'),
      allDay: false,
      organizer: { address: 'anna@example.com', name: 'Anna Berger' },
      attendees: [
        { address: { address: 'bob@example.org', name: 'Bob' }, partstat: 'NEEDS-ACTION', rsvp: true },
        { address: { address: 'carl@example.org', name: '' }, partstat: 'ACCEPTED', rsvp: false },
      ],
      summary: 'Besichtigung Musterstraße 5',
      location: 'Musterstraße 5, Berlin',
      rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=MO',
    });
  });

  it('should resolve an IANA TZID without VTIMEZONE and take the method from the part when the calendar has none', () => {
    const sut = parseCalendar(ics('BEGIN:VEVENT', 'UID:u1', 'DTSTART;TZID=Europe/Berlin:20250115T100000', 'DURATION:PT1H', 'END:VEVENT'), { methodHint: 'cancel' });
    expect(sut).toMatchObject({ method: 'CANCEL', uid: 'u1', sequence: 0, start: new Date('2025-01-15T09:00:00Z'), end: new Date('2025-01-15T10:00:00Z'), allDay: false });
  });

  it('should read an all-day event as one UTC day when it has no end', () => {
    const sut = parseCalendar(ics('BEGIN:VEVENT', 'UID:u2', 'DTSTART;VALUE=DATE:20250301', 'END:VEVENT'));
    expect(sut).toMatchObject({ allDay: true, start: new Date('2025-03-01T00:00:00Z'), end: new Date('2025-03-02T00:00:00Z'), method: '', attendees: [] });
  });

  it('should read UTC times', () => {
    expect(parseCalendar(ics('BEGIN:VEVENT', 'UID:u3', 'DTSTART:20250301T120000Z', 'END:VEVENT')).start).toEqual(new Date('2025-03-01T12:00:00Z'));
  });

  it.each([
    ['not iCalendar', 'hello world'],
    ['no VEVENT', ics('BEGIN:VTODO', 'UID:t', 'END:VTODO')],
    ['not a VCALENDAR', 'BEGIN:VCARD\r\nFN:x\r\nEND:VCARD'],
  ])('should throw CalendarParseError when the text is %s', (_name, input) => {
    expect(() => parseCalendar(input)).toThrow(CalendarParseError);
  });
});
