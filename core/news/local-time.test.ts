import { describe, expect, it } from 'vitest';
import { parseApiTime, periodRange } from './local-time.ts';

const KEMEROVO = 'Asia/Novokuznetsk'; // UTC+7, no daylight saving
const range = (period: 'today' | 'weekend' | 'week', now: string, zone = KEMEROVO) => {
  const r = periodRange(period, new Date(now), zone);
  return { from: r.from.toISOString(), to: r.to.toISOString() };
};

describe("«Афиша» periods in the municipality's zone", () => {
  it('today runs from local midnight to the next, also just after midnight local when UTC is still on the day before', () => {
    // Tuesday 1 December, 10:00 local.
    expect(range('today', '2026-12-01T03:00:00Z')).toEqual({ from: '2026-11-30T17:00:00.000Z', to: '2026-12-01T17:00:00.000Z' });
    // 00:30 local on Wednesday 2 December is still 1 December in UTC: "today" is already Wednesday.
    expect(range('today', '2026-12-01T17:30:00Z')).toEqual({ from: '2026-12-01T17:00:00.000Z', to: '2026-12-02T17:00:00.000Z' });
    // 23:59 local Tuesday.
    expect(range('today', '2026-12-01T16:59:00Z')).toEqual({ from: '2026-11-30T17:00:00.000Z', to: '2026-12-01T17:00:00.000Z' });
  });

  it('the weekend is the coming Saturday and Sunday on a weekday, the current one on Saturday and Sunday', () => {
    const weekend = { from: '2026-12-04T17:00:00.000Z', to: '2026-12-06T17:00:00.000Z' }; // Sat 5 Dec 00:00 – Mon 7 Dec 00:00 local
    expect(range('weekend', '2026-12-01T03:00:00Z')).toEqual(weekend); // Tuesday
    expect(range('weekend', '2026-12-04T16:59:00Z')).toEqual(weekend); // Friday 23:59 local
    expect(range('weekend', '2026-12-04T17:01:00Z')).toEqual(weekend); // Saturday 00:01 local (Friday in UTC)
    expect(range('weekend', '2026-12-06T16:00:00Z')).toEqual(weekend); // Sunday 23:00 local
    // Monday 00:30 local (Sunday in UTC): the next weekend.
    expect(range('weekend', '2026-12-06T17:30:00Z')).toEqual({ from: '2026-12-11T17:00:00.000Z', to: '2026-12-13T17:00:00.000Z' });
  });

  it('the next 7 days are 7 local days from today, across a month end', () => {
    expect(range('week', '2026-12-28T10:00:00Z')).toEqual({ from: '2026-12-27T17:00:00.000Z', to: '2027-01-03T17:00:00.000Z' });
  });

  it('another zone gives other UTC bounds for the same instant', () => {
    // 2026-12-04T20:00Z is Saturday 03:00 in Kemerovo but still Friday 23:00 in Moscow.
    expect(range('today', '2026-12-04T20:00:00Z')).toEqual({ from: '2026-12-04T17:00:00.000Z', to: '2026-12-05T17:00:00.000Z' });
    expect(range('today', '2026-12-04T20:00:00Z', 'Europe/Moscow')).toEqual({ from: '2026-12-03T21:00:00.000Z', to: '2026-12-04T21:00:00.000Z' });
  });
});

describe('times given to the API', () => {
  it("a local time is read in the municipality's zone; an offset wins; nonsense names the field", () => {
    expect(parseApiTime('2026-12-05T18:00', KEMEROVO, 'startsAt').toISOString()).toBe('2026-12-05T11:00:00.000Z');
    expect(parseApiTime('2026-12-05T18:00:30', KEMEROVO, 'startsAt').toISOString()).toBe('2026-12-05T11:00:30.000Z');
    expect(parseApiTime('2026-12-05T18:00:00+03:00', KEMEROVO, 'startsAt').toISOString()).toBe('2026-12-05T15:00:00.000Z');
    expect(parseApiTime('2026-12-05T18:00:00Z', KEMEROVO, 'startsAt').toISOString()).toBe('2026-12-05T18:00:00.000Z');
    for (const bad of ['2026-02-30T10:00', 'tomorrow', '2026-12-05', '2026-12-05T25:00']) {
      expect(() => parseApiTime(bad, KEMEROVO, 'startsAt'), bad).toThrow(expect.objectContaining({ code: 'VALIDATION', details: expect.objectContaining({ field: 'startsAt' }) }));
    }
  });
});
