import { WEEKDAYS } from '@mailbus/contracts';

type Weekday = (typeof WEEKDAYS)[number];

/**
 * When an account may be fetched, in the account's wall-clock time (receive.activeHours). `days` are
 * the days on which the window opens: with `from` later than `to` the window spans midnight, so
 * `fri 22:00–06:00` runs until Saturday 06:00. Without `timeZone` the times are UTC.
 */
export interface ActiveHours {
  days: readonly Weekday[];
  from: string;
  to: string;
  timeZone?: string;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  weekday: Weekday;
  minutes: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

const clockMinutes = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function wallTime(at: number, timeZone: string): WallTime & { seconds: number } {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: (parts.weekday ?? '').toLowerCase() as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +2 h). */
function offsetAt(at: number, timeZone: string): number {
  const wall = wallTime(at, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minutes, wall.seconds);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time happens in a zone. A time that happens twice (the autumn change)
 * is taken the first time; one that does not happen (the spring gap) is moved later by the gap,
 * as java.time and Luxon do: 02:30 on the spring change day in Berlin becomes 03:30.
 */
function instantOf({ year, month, day, minutes }: Pick<WallTime, 'year' | 'month' | 'day' | 'minutes'>, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  const before = offsetAt(asUtc - DAY_MS, timeZone);
  const after = offsetAt(asUtc + DAY_MS, timeZone);
  const matching = [...new Set([before, after])].map((offset) => asUtc - offset).filter((at) => offsetAt(at, timeZone) === asUtc - at);
  return matching.length > 0 ? Math.min(...matching) : asUtc - before;
}

const previousDay = (weekday: Weekday): Weekday => WEEKDAYS[(WEEKDAYS.indexOf(weekday) + WEEKDAYS.length - 1) % WEEKDAYS.length]!;

/** Whether `at` falls inside the window. */
export function isWithinActiveHours({ at, activeHours }: { at: Date; activeHours: ActiveHours }): boolean {
  const { weekday, minutes } = wallTime(at.getTime(), activeHours.timeZone ?? 'UTC');
  const from = clockMinutes(activeHours.from);
  const to = clockMinutes(activeHours.to);
  const days = new Set(activeHours.days);
  if (from < to) return days.has(weekday) && minutes >= from && minutes < to;
  return (days.has(weekday) && minutes >= from) || (days.has(previousDay(weekday)) && minutes < to);
}

/**
 * The earliest instant at or after `at` inside the active hours: `at` itself when it is inside (or
 * there are no active hours), otherwise the next opening.
 */
export function nextActiveTime({ at, activeHours }: { at: Date; activeHours?: ActiveHours | null }): Date {
  if (!activeHours || isWithinActiveHours({ at, activeHours })) return at;
  const timeZone = activeHours.timeZone ?? 'UTC';
  const today = wallTime(at.getTime(), timeZone);
  const from = clockMinutes(activeHours.from);
  // Calendar days counted in UTC, so that adding a day never meets a DST change.
  for (let offset = 0; offset <= 7; offset += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7]!;
    if (!activeHours.days.includes(weekday)) continue;
    const opening = instantOf({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), minutes: from }, timeZone);
    // A window that falls wholly into a spring-forward gap does not happen that day.
    if (opening > at.getTime() && isWithinActiveHours({ at: new Date(opening), activeHours })) return new Date(opening);
  }
  // Unreachable with at least one day (the schema requires one); a day later is a safe answer anyway.
  return new Date(at.getTime() + DAY_MS);
}
