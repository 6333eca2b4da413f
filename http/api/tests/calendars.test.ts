import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importProductionYear } from '../../../core/calendar/production-calendar.import.ts';
import { resetProductionYears } from '../../../core/calendar/production-calendar.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/** GET /calendars: the production calendar of a year and each municipality's working days (read-only). */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => {
  resetProductionYears();
  await h.close();
});

type Town = { municipalityId: number; daysOff: string[]; workingWeekends: string[]; shortened: string[]; workingDays: number; followsNational: boolean };
const townOf = (body: { municipalities: Town[] }, id: number) => body.municipalities.find((m) => m.municipalityId === id)!;

describe('GET /calendars', () => {
  it("gives an operator the shipped national year and every municipality's days off", async () => {
    const res = await h.request('GET', '/api/v1/calendars?year=2026');
    expect(res.status).toBe(200);
    expect(res.body.national).toMatchObject({ origin: 'shipped', provisional: false, workingWeekends: [] });
    expect(res.body.national.source).toContain('№ 1466');
    expect(res.body.national.daysOff).toContain('2026-01-09');
    expect(res.body.municipalities.map((m: Town) => m.municipalityId).sort()).toEqual(Object.values(h.municipality).sort());
    const kemerovo = townOf(res.body, h.municipality.Kemerovo);
    expect(kemerovo).toMatchObject({ followsNational: true, workDays: [1, 2, 3, 4, 5], timeZone: 'Asia/Novokuznetsk', workingWeekends: [] });
    expect(kemerovo.daysOff).toEqual(res.body.national.daysOff);
    expect(kemerovo.shortened).toEqual(res.body.national.shortened);
    expect(kemerovo.workingDays).toBe(247);
  });

  it("applies a municipality's own holiday and transfer, and shows an imported year as imported", async () => {
    const patched = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Belovo}`, {
      body: { workCalendar: { holidays: ['2026-08-20'], extraWorkDays: ['2026-08-22'] } },
    });
    expect(patched.status).toBe(200);
    const res = await h.request('GET', `/api/v1/calendars?year=2026&municipalityId=${h.municipality.Belovo}`, { token: h.keys.Belovo.responsible });
    expect(res.status).toBe(200);
    expect(res.body.municipalities).toHaveLength(1);
    const belovo = townOf(res.body, h.municipality.Belovo);
    expect(belovo.daysOff).toContain('2026-08-20');
    expect(belovo.workingWeekends).toEqual(['2026-08-22']);
    expect(belovo.workingDays).toBe(247);

    await importProductionYear(
      h.t.db,
      { year: 2031, source: 'Постановление о переносе выходных дней в 2031 году', daysOff: ['2031-01-01', '2031-01-02'], shortened: [], workingWeekends: ['2031-01-04'] },
      h.now(),
    );
    const imported = await h.request('GET', '/api/v1/calendars?year=2031', { token: h.keys.Kemerovo.moderator });
    expect(imported.body.national).toMatchObject({ origin: 'imported', provisional: false, daysOff: ['2031-01-01', '2031-01-02'], workingWeekends: ['2031-01-04'] });
    expect(townOf(imported.body, h.municipality.Kemerovo).workingWeekends).toEqual(['2031-01-04']);
  });

  it('has no national calendar for a year nobody shipped or imported, only the working week', async () => {
    const res = await h.request('GET', '/api/v1/calendars?year=2040', { token: h.keys.Kemerovo.executor });
    expect(res.status).toBe(200);
    expect(res.body.national).toBeNull();
    expect(res.body.municipalities.map((m: Town) => m.municipalityId)).toEqual([h.municipality.Kemerovo]);
    expect(townOf(res.body, h.municipality.Kemerovo)).toMatchObject({ daysOff: [], shortened: [], workingWeekends: [] });
  });

  it.each([
    ['no year', '/api/v1/calendars'],
    ['a year before 2000', '/api/v1/calendars?year=1999'],
    ['a year that is not a number', '/api/v1/calendars?year=2026a'],
    ['a forged municipality id', '/api/v1/calendars?year=2026&municipalityId=x'],
  ])('refuses %s with 400', async (_, url) => {
    const res = await h.request('GET', url);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });

  it("keeps other municipalities' calendars out of reach: 404 for Belovo to a Kemerovo key, 401 without a key", async () => {
    const other = await h.request('GET', `/api/v1/calendars?year=2026&municipalityId=${h.municipality.Belovo}`, { token: h.keys.Kemerovo.curator });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('MUNICIPALITY_NOT_FOUND');
    const own = await h.request('GET', '/api/v1/calendars?year=2026', { token: h.keys.Kemerovo.curator });
    expect(own.body.municipalities.map((m: Town) => m.municipalityId)).toEqual([h.municipality.Kemerovo]);
    const anonymous = await h.request('GET', '/api/v1/calendars?year=2026', { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('answers 404 for a municipality that does not exist, even to an operator', async () => {
    const res = await h.request('GET', '/api/v1/calendars?year=2026&municipalityId=999999');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('MUNICIPALITY_NOT_FOUND');
  });
});
