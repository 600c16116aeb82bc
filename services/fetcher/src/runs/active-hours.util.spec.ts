import { describe, expect, it } from 'vitest';
import { WEEKDAYS } from '@mailbus/contracts';
import { isWithinActiveHours, nextActiveTime, type ActiveHours } from './active-hours.util';

const utc = (iso: string): Date => new Date(`${iso}Z`);
const next = (activeHours: ActiveHours | undefined, at: string): string => nextActiveTime({ at: utc(at), activeHours }).toISOString();
const inside = (activeHours: ActiveHours, at: string): boolean => isWithinActiveHours({ at: utc(at), activeHours });

// 2026-11-23 is a Monday.
const officeUtc: ActiveHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '17:00' };
const fridayNight: ActiveHours = { days: ['fri'], from: '22:00', to: '06:00' };
const berlinDaily: ActiveHours = { days: [...WEEKDAYS], from: '08:00', to: '18:00', timeZone: 'Europe/Berlin' };

describe('active hours', () => {
  it('should run at once when there are no active hours', () => {
    expect(next(undefined, '2026-11-22T03:00:00.000')).toBe('2026-11-22T03:00:00.000Z');
  });

  it('should read times as UTC when no time zone is given', () => {
    expect(inside(officeUtc, '2026-11-23T08:00:00.000')).toBe(true);
    expect(inside(officeUtc, '2026-11-23T16:59:59.000')).toBe(true);
    expect(inside(officeUtc, '2026-11-23T07:59:59.000')).toBe(false);
    expect(next(officeUtc, '2026-11-23T07:00:00.000')).toBe('2026-11-23T08:00:00.000Z');
    expect(next(officeUtc, '2026-11-23T12:34:56.789')).toBe('2026-11-23T12:34:56.789Z');
  });

  it('should treat `to` as the first closed minute and move on to the next listed day', () => {
    expect(inside(officeUtc, '2026-11-23T17:00:00.000')).toBe(false);
    expect(next(officeUtc, '2026-11-23T17:00:00.000')).toBe('2026-11-24T08:00:00.000Z');
  });

  it('should skip days that are not listed when the week ends', () => {
    expect(next(officeUtc, '2026-11-27T17:30:00.000')).toBe('2026-11-30T08:00:00.000Z');
    expect(next(officeUtc, '2026-11-28T10:00:00.000')).toBe('2026-11-30T08:00:00.000Z');
    expect(next(officeUtc, '2026-11-29T23:59:00.000')).toBe('2026-11-30T08:00:00.000Z');
  });

  it('should keep a window that spans midnight open into the next day when from is later than to', () => {
    expect(inside(fridayNight, '2026-11-27T22:00:00.000')).toBe(true);
    expect(inside(fridayNight, '2026-11-28T00:00:00.000')).toBe(true);
    expect(inside(fridayNight, '2026-11-28T05:59:00.000')).toBe(true);
    expect(inside(fridayNight, '2026-11-28T06:00:00.000')).toBe(false);
    expect(inside(fridayNight, '2026-11-28T23:00:00.000')).toBe(false);
    // Thursday night's window does not exist: only Friday opens one.
    expect(inside(fridayNight, '2026-11-27T03:00:00.000')).toBe(false);
    expect(next(fridayNight, '2026-11-27T21:00:00.000')).toBe('2026-11-27T22:00:00.000Z');
    expect(next(fridayNight, '2026-11-28T07:00:00.000')).toBe('2026-12-04T22:00:00.000Z');
  });

  it('should open a window only on its listed day even when it spans midnight into an unlisted day', () => {
    const mondayNight: ActiveHours = { days: ['mon'], from: '22:00', to: '06:00' };
    expect(inside(mondayNight, '2026-11-22T23:00:00.000')).toBe(false);
    expect(inside(mondayNight, '2026-11-24T03:00:00.000')).toBe(true);
    expect(next(mondayNight, '2026-11-22T23:00:00.000')).toBe('2026-11-23T22:00:00.000Z');
  });

  it('should use the weekday and time of the account time zone, not of UTC', () => {
    const newYorkMonday: ActiveHours = { days: ['mon'], from: '09:00', to: '10:00', timeZone: 'America/New_York' };
    // Monday 02:00 UTC is still Sunday 21:00 in New York.
    expect(inside(newYorkMonday, '2026-11-23T02:00:00.000')).toBe(false);
    expect(next(newYorkMonday, '2026-11-23T02:00:00.000')).toBe('2026-11-23T14:00:00.000Z');
    expect(inside(newYorkMonday, '2026-11-23T14:30:00.000')).toBe(true);
  });

  it('should follow summer time in Europe/Berlin', () => {
    expect(inside(berlinDaily, '2026-07-01T06:30:00.000')).toBe(true);
    expect(inside(berlinDaily, '2026-07-01T05:30:00.000')).toBe(false);
    expect(next(berlinDaily, '2026-07-01T05:30:00.000')).toBe('2026-07-01T06:00:00.000Z');
    expect(next(berlinDaily, '2026-12-01T05:30:00.000')).toBe('2026-12-01T07:00:00.000Z');
  });

  it('should open at the local time on the spring change day in Europe/Berlin (29 March 2026)', () => {
    // Saturday 18:00 CET closes; Sunday 08:00 is already CEST (+2).
    expect(next(berlinDaily, '2026-03-28T17:00:00.000')).toBe('2026-03-29T06:00:00.000Z');
    expect(inside(berlinDaily, '2026-03-29T05:59:00.000')).toBe(false);
    expect(inside(berlinDaily, '2026-03-29T16:00:00.000')).toBe(false);
  });

  it('should open at the local time on the autumn change day in Europe/Berlin (25 October 2026)', () => {
    // Saturday 08:00 is CEST (+2); Sunday 08:00 is CET (+1).
    expect(next(berlinDaily, '2026-10-24T00:00:00.000')).toBe('2026-10-24T06:00:00.000Z');
    expect(next(berlinDaily, '2026-10-24T16:00:00.000')).toBe('2026-10-25T07:00:00.000Z');
    expect(inside(berlinDaily, '2026-10-25T16:59:00.000')).toBe(true);
    expect(inside(berlinDaily, '2026-10-25T17:00:00.000')).toBe(false);
  });

  it('should open after the gap when the opening time does not exist on the spring change day', () => {
    const earlyBerlin: ActiveHours = { days: [...WEEKDAYS], from: '02:30', to: '04:00', timeZone: 'Europe/Berlin' };
    // 02:30 does not happen on 29 March; the window opens 02:30 + 1 h = 03:30 CEST (01:30 UTC).
    expect(next(earlyBerlin, '2026-03-29T00:00:00.000')).toBe('2026-03-29T01:30:00.000Z');
    expect(inside(earlyBerlin, '2026-03-29T01:30:00.000')).toBe(true);
  });

  it('should skip a window that lies wholly in the spring gap', () => {
    const inTheGap: ActiveHours = { days: [...WEEKDAYS], from: '02:10', to: '02:40', timeZone: 'Europe/Berlin' };
    expect(next(inTheGap, '2026-03-29T00:00:00.000')).toBe('2026-03-30T00:10:00.000Z');
  });

  it('should open at the first of two identical times on the autumn change day', () => {
    const earlyBerlin: ActiveHours = { days: [...WEEKDAYS], from: '02:30', to: '05:00', timeZone: 'Europe/Berlin' };
    // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); the first counts.
    expect(next(earlyBerlin, '2026-10-24T23:00:00.000')).toBe('2026-10-25T00:30:00.000Z');
  });
});
