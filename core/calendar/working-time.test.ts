import { describe, it, expect } from 'vitest';
import {
  addCalendarDays,
  addWorkingHours,
  calendarYear,
  isWorkingTime,
  localDateKey,
  workingHoursBetween,
  workingHoursMeter,
} from './working-time.ts';
import type { WorkCalendar } from './working-time.ts';

const NK = 'Asia/Novokuznetsk';
const MSK = 'Europe/Moscow';
const kuzbass: WorkCalendar = { timeZone: NK, config: {} };
const moscow: WorkCalendar = { timeZone: MSK, config: {} };
// November 2026 around National Unity Day: Tue 3rd is a short day, Wed 4th a holiday.
const november: WorkCalendar = {
  timeZone: NK,
  config: { holidays: ['2026-11-04'], shortenedDays: { '2026-11-03': '17:00' } },
};

/** Novokuznetsk wall-clock time (UTC+7, no DST) as an instant. */
const nk = (local: string): Date => new Date(`${local}+07:00`);
const msk = (local: string): Date => new Date(`${local}+03:00`);

describe('addWorkingHours', () => {
  it('carries Friday evening over the weekend to Monday', () => {
    // 2026-11-27 is a Friday.
    expect(addWorkingHours(kuzbass, nk('2026-11-27T17:30'), 1)).toEqual(nk('2026-11-30T09:30'));
    expect(addWorkingHours(kuzbass, nk('2026-11-27T12:00'), 8)).toEqual(nk('2026-11-30T11:00'));
  });

  it('starts counting at the next working start when called outside hours', () => {
    expect(addWorkingHours(kuzbass, nk('2026-11-27T20:00'), 2)).toEqual(nk('2026-11-30T11:00'));
    expect(addWorkingHours(kuzbass, nk('2026-11-29T12:00'), 2)).toEqual(nk('2026-11-30T11:00'));
    expect(addWorkingHours(kuzbass, nk('2026-11-30T06:00'), 2)).toEqual(nk('2026-11-30T11:00'));
  });

  it('handles exact start and end boundaries', () => {
    expect(addWorkingHours(kuzbass, nk('2026-11-30T09:00'), 9)).toEqual(nk('2026-11-30T18:00'));
    expect(addWorkingHours(kuzbass, nk('2026-11-30T18:00'), 1)).toEqual(nk('2026-12-01T10:00'));
    // Ending exactly at closing time stays on that day rather than jumping to the next morning.
    expect(addWorkingHours(kuzbass, nk('2026-11-30T17:00'), 1)).toEqual(nk('2026-11-30T18:00'));
    expect(addWorkingHours(kuzbass, nk('2026-11-30T17:00'), 0)).toEqual(nk('2026-11-30T17:00'));
  });

  it('supports fractional hours', () => {
    expect(addWorkingHours(kuzbass, nk('2026-11-30T09:00'), 1.5)).toEqual(nk('2026-11-30T10:30'));
    expect(addWorkingHours(kuzbass, nk('2026-11-30T09:00'), 0.25)).toEqual(nk('2026-11-30T09:15'));
    expect(addWorkingHours(kuzbass, nk('2026-11-30T17:50'), 1 / 3)).toEqual(nk('2026-12-01T09:10'));
  });

  it('skips a holiday in the middle of the week and honours the shortened day before it', () => {
    // Tue 3rd ends at 17:00, Wed 4th is off, so 16:00 + 2h lands on Thu 5th 10:00.
    expect(addWorkingHours(november, nk('2026-11-03T16:00'), 2)).toEqual(nk('2026-11-05T10:00'));
    // Without any calendar (the national one switched off) the same request stays on Tuesday.
    expect(addWorkingHours({ timeZone: NK, config: { national: false } }, nk('2026-11-03T16:00'), 2)).toEqual(nk('2026-11-03T18:00'));
    // The national production calendar alone already knows both days.
    expect(addWorkingHours(kuzbass, nk('2026-11-03T16:00'), 2)).toEqual(nk('2026-11-05T10:00'));
    // From the holiday itself counting starts on Thursday.
    expect(addWorkingHours(november, nk('2026-11-04T10:00'), 1)).toEqual(nk('2026-11-05T10:00'));
  });

  it('treats an extra working Saturday as a normal day', () => {
    const transfer: WorkCalendar = { timeZone: NK, config: { extraWorkDays: ['2026-11-28'] } };
    expect(addWorkingHours(transfer, nk('2026-11-27T17:30'), 1)).toEqual(nk('2026-11-28T09:30'));
    expect(addWorkingHours(transfer, nk('2026-11-28T17:00'), 2)).toEqual(nk('2026-11-30T10:00'));
    expect(isWorkingTime(transfer, nk('2026-11-28T12:00'))).toBe(true);
    expect(isWorkingTime(transfer, nk('2026-11-29T12:00'))).toBe(false);
  });

  it('uses custom hours and working days', () => {
    const sixDays: WorkCalendar = {
      timeZone: NK,
      config: { workDays: [1, 2, 3, 4, 5, 6], start: '08:00', end: '12:00' },
    };
    expect(addWorkingHours(sixDays, nk('2026-11-27T11:00'), 2)).toEqual(nk('2026-11-28T09:00'));
  });

  it('reads the local day in the calendar time zone, not UTC', () => {
    // Friday 20:00 in UTC, but already Saturday 03:00 in Novokuznetsk and Friday 23:00 in Moscow.
    const instant = new Date('2026-11-27T20:00:00Z');
    expect(localDateKey(NK, instant)).toBe('2026-11-28');
    expect(localDateKey(MSK, instant)).toBe('2026-11-27');
    expect(localDateKey('UTC', instant)).toBe('2026-11-27');
    // Both land on Monday 10:00 local, which are different instants.
    expect(addWorkingHours(kuzbass, instant, 1)).toEqual(new Date('2026-11-30T03:00:00Z'));
    expect(addWorkingHours(moscow, instant, 1)).toEqual(new Date('2026-11-30T07:00:00Z'));
    // A Saturday-only transfer in Kuzbass applies to this instant; in Moscow it is still Friday night.
    const kuzSat: WorkCalendar = { timeZone: NK, config: { extraWorkDays: ['2026-11-28'] } };
    expect(addWorkingHours(kuzSat, instant, 1)).toEqual(nk('2026-11-28T10:00'));
  });

  it('compares Kuzbass and Moscow office hours at the same instant', () => {
    // 12:00Z is 19:00 in Novokuznetsk (closed) and 15:00 in Moscow (open).
    const instant = new Date('2026-11-27T12:00:00Z');
    expect(isWorkingTime(kuzbass, instant)).toBe(false);
    expect(isWorkingTime(moscow, instant)).toBe(true);
    expect(addWorkingHours(moscow, instant, 3)).toEqual(msk('2026-11-27T18:00'));
    expect(addWorkingHours(moscow, instant, 4)).toEqual(msk('2026-11-30T10:00'));
  });

  it('throws instead of looping forever on a calendar without working time', () => {
    expect(() => addWorkingHours({ timeZone: NK, config: { workDays: [] } }, nk('2026-11-27T10:00'), 1))
      .toThrow(/no working days/);
    const zeroLength: WorkCalendar = { timeZone: NK, config: { start: '09:00', end: '09:00' } };
    expect(() => addWorkingHours(zeroLength, nk('2026-11-27T10:00'), 1)).toThrow(/No working time/);
    expect(() => addWorkingHours(kuzbass, nk('2026-11-27T10:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingHours(kuzbass, nk('2026-11-27T10:00'), Number.NaN)).toThrow(RangeError);
  });
});

describe('workingHoursBetween', () => {
  it('counts only working time across a weekend', () => {
    expect(workingHoursBetween(kuzbass, nk('2026-11-27T17:30'), nk('2026-11-30T09:30'))).toBe(1);
    expect(workingHoursBetween(kuzbass, nk('2026-11-27T00:00'), nk('2026-12-01T00:00'))).toBe(18);
    expect(workingHoursBetween(kuzbass, nk('2026-11-28T10:00'), nk('2026-11-29T23:00'))).toBe(0);
  });

  it('accounts for holidays and shortened days', () => {
    // Mon 9 + Tue 8 (short) + Wed 0 (holiday) + Thu 9 + Fri 9.
    expect(workingHoursBetween(november, nk('2026-11-02T00:00'), nk('2026-11-07T00:00'))).toBe(35);
  });

  it('returns fractional hours and 0 for an empty or reversed range', () => {
    expect(workingHoursBetween(kuzbass, nk('2026-11-30T09:00'), nk('2026-11-30T09:45'))).toBe(0.75);
    expect(workingHoursBetween(kuzbass, nk('2026-11-30T12:00'), nk('2026-11-30T12:00'))).toBe(0);
    expect(workingHoursBetween(kuzbass, nk('2026-11-30T12:00'), nk('2026-11-30T10:00'))).toBe(0);
  });

  it('round-trips with addWorkingHours', () => {
    const calendars = [kuzbass, moscow, november, { timeZone: NK, config: { extraWorkDays: ['2026-11-28'] } }];
    const starts = [
      '2026-11-02T08:00:00Z', '2026-11-03T09:59:00Z', '2026-11-03T23:00:00Z', '2026-11-04T05:00:00Z',
      '2026-11-27T10:30:00Z', '2026-11-27T20:00:00Z', '2026-11-29T12:00:00Z', '2026-11-30T02:00:00Z',
    ];
    const durations = [0.5, 1, 2.25, 8, 9, 17.75, 40];
    for (const cal of calendars) {
      for (const s of starts) {
        for (const h of durations) {
          const from = new Date(s);
          const to = addWorkingHours(cal, from, h);
          expect(to.getTime()).toBeGreaterThan(from.getTime());
          expect(workingHoursBetween(cal, from, to)).toBeCloseTo(h, 6);
        }
      }
    }
  });
});

describe('workingHoursMeter', () => {
  it('gives exactly what workingHoursBetween gives, in zones from UTC−11 to UTC+14, over DST changes and whole-day hours', () => {
    const calendars: WorkCalendar[] = [
      kuzbass,
      moscow,
      november,
      { timeZone: NK, config: { extraWorkDays: ['2026-11-28'], workDays: [1, 2, 3, 4, 5, 6] } },
      { timeZone: 'Europe/Berlin', config: { national: false } },
      { timeZone: 'America/New_York', config: { start: '00:00', end: '24:00', workDays: [1, 2, 3, 4, 5, 6, 7] } },
      { timeZone: 'Pacific/Kiritimati', config: { start: '00:00', end: '23:30' } },
      { timeZone: 'Pacific/Pago_Pago', config: { start: '06:00', end: '24:00', shortenedDays: { '2026-11-02': '12:00' } } },
    ];
    // A fixed pseudo-random sequence: instants around 2026's autumn DST changes and the new year.
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const base = Date.parse('2026-10-20T00:00:00Z');
    for (const cal of calendars) {
      const meter = workingHoursMeter(cal);
      for (let i = 0; i < 150; i++) {
        const from = new Date(base + Math.floor(next() * 80 * 86_400_000));
        const to = new Date(from.getTime() + Math.floor((next() - 0.05) * 35 * 86_400_000));
        expect(meter(from, to), `${cal.timeZone} ${from.toISOString()} → ${to.toISOString()}`).toBe(workingHoursBetween(cal, from, to));
      }
      // Instants on local midnights and on a day's working bounds.
      for (const [a, b] of [
        [nk('2026-11-27T00:00'), nk('2026-12-01T00:00')],
        [nk('2026-11-27T18:00'), nk('2026-11-30T09:00')],
        [nk('2026-11-30T09:00'), nk('2026-11-30T09:00')],
      ] as const)
        expect(meter(a, b)).toBe(workingHoursBetween(cal, a, b));
    }
  });
});

describe('isWorkingTime', () => {
  it('includes the start and excludes the end of the day', () => {
    expect(isWorkingTime(kuzbass, nk('2026-11-30T08:59'))).toBe(false);
    expect(isWorkingTime(kuzbass, nk('2026-11-30T09:00'))).toBe(true);
    expect(isWorkingTime(kuzbass, nk('2026-11-30T17:59'))).toBe(true);
    expect(isWorkingTime(kuzbass, nk('2026-11-30T18:00'))).toBe(false);
    expect(isWorkingTime(kuzbass, nk('2026-11-28T12:00'))).toBe(false);
  });

  it('respects holidays and shortened days', () => {
    expect(isWorkingTime(november, nk('2026-11-03T16:59'))).toBe(true);
    expect(isWorkingTime(november, nk('2026-11-03T17:00'))).toBe(false);
    expect(isWorkingTime(november, nk('2026-11-04T12:00'))).toBe(false);
  });
});

describe('addCalendarDays', () => {
  it('keeps the local wall time', () => {
    expect(addCalendarDays(NK, nk('2026-11-27T23:30'), 3)).toEqual(nk('2026-11-30T23:30'));
    expect(addCalendarDays(NK, nk('2026-11-27T10:00'), -1)).toEqual(nk('2026-11-26T10:00'));
  });

  it('keeps the local wall time across a DST change', () => {
    // Berlin springs forward on 2026-03-29, so one calendar day is only 23 hours.
    const from = new Date('2026-03-28T12:00:00+01:00');
    const to = addCalendarDays('Europe/Berlin', from, 1);
    expect(to).toEqual(new Date('2026-03-29T12:00:00+02:00'));
    expect(to.getTime() - from.getTime()).toBe(23 * 3_600_000);
  });
});

describe('calendarYear', () => {
  it('lists the national days off, transfers and short days of a year on the working week', () => {
    const y = calendarYear(kuzbass, 2025);
    expect(y.daysOff).toContain('2025-01-08');
    expect(y.daysOff).toContain('2025-05-02');
    expect(y.daysOff).not.toContain('2025-01-04'); // a Saturday: off anyway, not listed
    expect(y.workingWeekends).toEqual(['2025-11-01']);
    expect(y.shortened).toEqual(['2025-03-07', '2025-04-30', '2025-06-11', '2025-11-01']);
    // 2025 has 247 working days by the decree's calendar.
    expect(y.workingDays).toBe(247);
  });

  it("adds the municipality's own holidays and transfers, and drops the national calendar when told", () => {
    const own = calendarYear({ timeZone: NK, config: { holidays: ['2026-08-20'], extraWorkDays: ['2026-08-22'], shortenedDays: { '2026-08-19': '16:00' } } }, 2026);
    expect(own.daysOff).toContain('2026-08-20');
    expect(own.daysOff).toContain('2026-01-09');
    expect(own.workingWeekends).toEqual(['2026-08-22']);
    expect(own.shortened).toContain('2026-08-19');
    const local = calendarYear({ timeZone: NK, config: { national: false, holidays: ['2026-08-20'] } }, 2026);
    expect(local.daysOff).toEqual(['2026-08-20']);
    expect(local.shortened).toEqual([]);
  });
});
