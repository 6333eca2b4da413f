import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { csvCodes, workbookCodes } from './report-codes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMunicipality, insertMessages, insertOpenSourceMessage, local } from '../../../core/kpi/tests/kpi-data.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { XLSX_TYPE } from '../routes/reports/monthly.ts';
import { rateMunicipalities } from '../../../core/kpi/ratings.ts';
import { markUrgent } from '../../../core/messages/urgency.service.ts';
import { draftAnswer } from '../../../core/messages/answers.service.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

async function audits(action: string) {
  return h.t.db.selectFrom('audit_log').select(['action', 'entity_id', 'municipality_id', 'data']).where('action', '=', action).orderBy('id').execute();
}

describe('GET /kpi', () => {
  it('gives all 16 indicators with value, numerator, denominator, target, status and trend', async () => {
    const res = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Kemerovo}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { kpi: number }) => i.kpi)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const six = res.body.items.find((i: { kpi: number }) => i.kpi === 6);
    expect(six).toMatchObject({
      nameRu: expect.stringContaining('решённых'),
      periodKind: 'month',
      ownPeriod: '2026-11',
      final: true,
      target: { kind: 'min_share', min: 0.45 },
      trend: { previousPeriod: '2026-10' },
    });
    const seven = res.body.items.find((i: { kpi: number }) => i.kpi === 7);
    expect(seven).toMatchObject({ periodKind: 'year', ownPeriod: '2026', final: false });
  });

  it("a curator gets their own municipality's without naming it; an operator must name one", async () => {
    const own = await h.request('GET', '/api/v1/kpi?period=2026', { token: h.keys.Kemerovo.curator });
    expect(own.status).toBe(200);
    expect(own.body.municipalityId).toBe(h.municipality.Kemerovo);
    const operator = await h.request('GET', '/api/v1/kpi?period=2026');
    expect(operator.status).toBe(400);
    expect(operator.body.field ?? JSON.stringify(operator.body)).toContain('municipalityId');
  });

  it('refuses a malformed period and hides another municipality (404)', async () => {
    for (const period of ['2026-13', '2026-W48', 'november', '26-11']) {
      const res = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Kemerovo}&period=${period}`);
      expect(res.status, period).toBe(400);
    }
    const cross = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Novokuznetsk}&period=2026-11`, { token: h.keys.Kemerovo.responsible });
    expect(cross.status).toBe(404);
    const missing = await h.request('GET', '/api/v1/kpi?municipalityId=999999&period=2026-11');
    expect(missing.status).toBe(404);
  });
});

describe('a period that has not begun', () => {
  // The harness's now: 2026-12-01 10:00 in Kemerovo (UTC+7), so December 2026 runs and January 2027 is ahead.
  const k = () => h.municipality.Kemerovo;
  it('is 422 PERIOD_NOT_STARTED naming it on every KPI, report and rating read, not a page of zeros', async () => {
    const urls = [
      `/api/v1/kpi?municipalityId=${k()}&period=2027-01`,
      `/api/v1/kpi?municipalityId=${k()}&period=2027`,
      '/api/v1/kpi/region?period=2027-01',
      `/api/v1/reports/monthly?municipalityId=${k()}&period=2027-01`,
      `/api/v1/reports/monthly?municipalityId=${k()}&period=2027-01&format=xlsx`,
      '/api/v1/reports/open-sources?period=2027-01',
      `/api/v1/ratings/executors?municipalityId=${k()}&period=2027-01`,
      '/api/v1/ratings/municipalities?period=2099-12',
    ];
    for (const url of urls) {
      const res = await h.request('GET', url);
      expect(res.status, url).toBe(422);
      expect(res.body.code, url).toBe('PERIOD_NOT_STARTED');
      expect(res.body.detail, url).toMatch(/20(27|99)/);
      expect(res.body.details.field, url).toBe('period');
    }
    // A curator's own municipality, not named: the same refusal.
    const own = await h.request('GET', '/api/v1/kpi?period=2027-01', { token: h.keys.Kemerovo.curator });
    expect(own.status).toBe(422);
    expect(own.body.details).toMatchObject({ period: '2027-01', startsAt: '2026-12-31T17:00:00.000Z' });
  });

  it('the month and the year running now are answered, as of now', async () => {
    const month = await h.request('GET', `/api/v1/kpi?municipalityId=${k()}&period=2026-12`);
    expect(month.status).toBe(200);
    expect(month.body.items.find((i: { kpi: number }) => i.kpi === 6)).toMatchObject({ final: false, asOf: h.now().toISOString() });
    expect((await h.request('GET', `/api/v1/kpi?municipalityId=${k()}&period=2026`)).status).toBe(200);
    expect((await h.request('GET', '/api/v1/kpi/region?period=2026-12')).status).toBe(200);
    const report = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${k()}&period=2026-12`);
    expect(report.status).toBe(200);
    expect(report.body.asOf).toBe(h.now().toISOString());
    expect((await h.request('GET', '/api/v1/reports/open-sources?period=2026-12')).status).toBe(200);
    expect((await h.request('GET', '/api/v1/ratings/municipalities?period=2026-12')).status).toBe(200);
  });
});

describe('executors read their municipality\'s KPIs, monthly report and ratings (README "Admin API": why)', () => {
  it("an executor's key reads Kemerovo's figures, aggregates only (no message of another executor shows); another municipality is 404, the region 403", async () => {
    const k = h.municipality.Kemerovo;
    const utility = h.executors.Kemerovo.utility;
    const closed = { status: 'solved' as const, createdAt: local('2026-09-03T10:00:00'), acceptedAt: local('2026-09-03T11:00:00'), closedAt: local('2026-09-05T11:00:00') };
    const [foreign] = await insertMessages(h.t.db, k, { count: 1, ...closed, executorId: utility, stars: 5 });
    const text = (await h.t.db.selectFrom('message').select('text').where('id', '=', foreign!).executeTakeFirstOrThrow()).text;
    const token = h.keys.Kemerovo.executor;
    // The executor does not see the utility's message itself…
    expect((await h.request('GET', `/api/v1/messages/${foreign}`, { token })).status).toBe(404);
    // …but reads the municipality's figures, in which it is counted.
    const reads = [
      `/api/v1/kpi?period=2026-09`,
      `/api/v1/reports/monthly?period=2026-09`,
      `/api/v1/reports/monthly?period=2026-09&format=csv`,
      `/api/v1/ratings/executors?period=2026-09`,
      '/api/v1/ratings/municipalities?period=2026-09',
      '/api/v1/reports/open-sources?period=2026-09',
    ];
    for (const url of reads) {
      const res = await h.request('GET', url, { token });
      expect(res.status, url).toBe(200);
      const body = res.text ?? JSON.stringify(res.body);
      expect(body, url).not.toContain(text);
    }
    const rating = await h.request('GET', '/api/v1/ratings/executors?period=2026-09', { token });
    expect(rating.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ executorId: utility, municipalityId: k })]));
    expect(rating.body.items.every((i: { municipalityId: number }) => i.municipalityId === k)).toBe(true);
    expect((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${h.municipality.Belovo}&period=2026-09`, { token })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/ratings/executors?municipalityId=${h.municipality.Belovo}&period=2026-09`, { token })).status).toBe(404);
    const region = await h.request('GET', '/api/v1/kpi/region?period=2026-09', { token });
    expect(region.status).toBe(403);
    expect(region.body.code).toBe('FORBIDDEN');
  });
});

describe('GET /kpi/indicators', () => {
  it('names the 16 indicators as GET /kpi does, for every role, with no municipality or period', async () => {
    const computed = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Kemerovo}&period=2026-11`);
    for (const token of [undefined, h.keys.Kemerovo.executor, h.keys.Belovo.responsible]) {
      const res = await h.request('GET', '/api/v1/kpi/indicators', { token });
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { kpi: number }) => i.kpi)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect(res.body.items).toEqual(computed.body.items.map((i: Record<string, unknown>) => ({ kpi: i.kpi, nameRu: i.nameRu, nameEn: i.nameEn, periodKind: i.periodKind, target: i.target })));
    }
  });

  it('refuses an unknown query parameter (400) and a request without a key (401)', async () => {
    const unknown = await h.request('GET', '/api/v1/kpi/indicators?period=2026-11');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('VALIDATION');
    for (const token of [null, h.revoked]) expect((await h.request('GET', '/api/v1/kpi/indicators', { token })).status).toBe(401);
  });
});

describe('GET /kpi: a duplicate linked in work is counted once (seeds)', () => {
  it("KPI 6, 7, 9 and 11, the monthly report and the executors' rating leave the duplicate out; its original counts", async () => {
    const m = await freshMunicipality(h.t.db);
    const closed = { status: 'solved' as const, createdAt: local('2026-11-02T10:00:00'), acceptedAt: local('2026-11-02T11:00:00'), closedAt: local('2026-11-20T11:00:00'), stars: 5 };
    const executor = await h.t.db.insertInto('executor').values({ municipality_id: m, name: 'Исполнитель', kind: 'organisation' }).returning('id').executeTakeFirstOrThrow();
    const [original] = await insertMessages(h.t.db, m, { count: 1, ...closed, published: true, executorId: executor.id });
    // Linked to the original while in work: closed with its outcome, never published, rated by its own author.
    const [duplicate] = await insertMessages(h.t.db, m, { count: 1, ...closed, stars: 1, executorId: executor.id });
    await h.t.db.updateTable('message').set({ duplicate_of: original! }).where('id', '=', duplicate!).execute();
    const kpis = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2026-11`);
    const item = (n: number) => kpis.body.items.find((i: { kpi: number }) => i.kpi === n);
    expect(item(6)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(item(7)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(item(9)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(item(11)).toMatchObject({ numerator: 1, denominator: 1 });
    const report = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`);
    expect(report.body.timeliness).toMatchObject({ messages: 1, accepted: 1, overdue: 1 });
    expect(report.body.quality).toMatchObject({ rated: 1, averageStars: 5 });
    const ratings = await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`);
    expect(ratings.body.items).toEqual([expect.objectContaining({ executorId: executor.id, closed: 1, received: 1, averageStars: 5 })]);
  });
});

describe('GET /reports/monthly: dynamics count a linked duplicate once, like the rest of the report', () => {
  it('a duplicate linked in work this month, the previous month or a year before is left out; one rejected as a duplicate at moderation stays', async () => {
    const m = await freshMunicipality(h.t.db);
    const inWork = (at: string) => ({ count: 1, status: 'in_work' as const, createdAt: local(at), acceptedAt: local(at) });
    // November 2026: an original and its duplicate linked in work; October: the same; November 2025: the same.
    for (const at of ['2026-11-10T10:00:00', '2026-10-12T10:00:00', '2025-11-10T10:00:00']) {
      const [original] = await insertMessages(h.t.db, m, inWork(at));
      const [duplicate] = await insertMessages(h.t.db, m, inWork(at));
      await h.t.db.updateTable('message').set({ duplicate_of: original! }).where('id', '=', duplicate!).execute();
    }
    // Rejected as a duplicate at moderation (never accepted): a filed message, counted.
    const [original] = await insertMessages(h.t.db, m, inWork('2026-11-11T10:00:00'));
    const [rejected] = await insertMessages(h.t.db, m, { count: 1, status: 'rejected', createdAt: local('2026-11-11T11:00:00'), acceptedAt: null });
    await h.t.db.updateTable('message').set({ duplicate_of: original! }).where('id', '=', rejected!).execute();
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.timeliness.messages).toBe(3);
    // current: 2 + 1 rejected = 3 (not 4); previous month 1 (not 2); a year before 1 (not 2).
    expect(res.body.dynamics).toEqual([expect.objectContaining({ current: 3, previousMonth: 1, previousYear: 1, monthOverMonth: 2, monthOverMonthShare: 2, yearOverYear: 2, yearOverYearShare: 2 })]);
  });
});

describe('GET /kpi/region', () => {
  it('ranks every municipality by its score; only operators see the region', async () => {
    const res = await h.request('GET', '/api/v1/kpi/region?period=2026-11');
    expect(res.status).toBe(200);
    const rows = res.body.items as { rank: number; score: number; indicators: unknown[]; municipalityId: number }[];
    // Standard competition ranking: one more than the number of municipalities scoring higher (equal scores share a rank).
    expect(rows.map((r) => r.rank)).toEqual(rows.map((r) => 1 + rows.filter((o) => o.score > r.score).length));
    expect(rows.every((r, i) => i === 0 || rows[i - 1]!.score >= r.score)).toBe(true);
    expect(rows.every((r) => r.indicators.length === 16)).toBe(true);
    // The region is measured in one grouped query per indicator: the same figures as one municipality alone.
    const single = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Belovo}&period=2026-11`);
    const pick = (items: { kpi: number; numerator: number; denominator: number | null; status: string | null }[]) => items.map((i) => [i.kpi, i.numerator, i.denominator, i.status]);
    expect(pick(rows.find((r) => r.municipalityId === h.municipality.Belovo)!.indicators as never)).toEqual(pick(single.body.items));
    expect((await h.request('GET', '/api/v1/kpi/region?period=2026-11', { token: h.keys.Kemerovo.curator })).status).toBe(403);
  });
});

describe('KPI 14 and 16 entries', () => {
  it('a placement is entered (audited) and counted by KPI 14; bad dates answer 400', async () => {
    const m = h.municipality.Belovo;
    const res = await h.request('POST', '/api/v1/kpi/placements', {
      token: h.keys.Belovo.responsible,
      body: { municipalityId: m, address: 'ул. Советская, 10', startsOn: '2026-11-01', endsOn: '2027-01-31' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ municipalityId: m, startsOn: '2026-11-01', endsOn: '2027-01-31', mediaId: null });
    expect((await audits('kpi.placement.create')).at(-1)).toMatchObject({ entity_id: String(res.body.id), municipality_id: m });
    const kpi = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2026-11`);
    expect(kpi.body.items.find((i: { kpi: number }) => i.kpi === 14)).toMatchObject({ numerator: 1, status: 'met' });
    const list = await h.request('GET', `/api/v1/kpi/placements?municipalityId=${m}`);
    expect(list.body.items.map((p: { id: number }) => p.id)).toEqual([res.body.id]);

    for (const body of [
      { municipalityId: m, address: 'x', startsOn: '2026-02-30', endsOn: '2026-05-01' },
      { municipalityId: m, address: 'x', startsOn: '2026-05-01', endsOn: '2026-04-01' },
      { municipalityId: m, address: '', startsOn: '2026-05-01', endsOn: '2026-09-01' },
      { municipalityId: m, address: 'x', startsOn: '2026-05-01', endsOn: '2026-09-01', mediaId: 999999 },
    ]) {
      const bad = await h.request('POST', '/api/v1/kpi/placements', { body });
      expect([400, 404], JSON.stringify(body)).toContain(bad.status);
    }
    expect(await audits('kpi.placement.create')).toHaveLength(1);
  });

  it('a placement or publication dated outside the KPI years (2000 to 2100) is 400 naming the field: a mistyped year would count the unit in every month', async () => {
    const m = h.municipality.Kemerovo;
    const before = await audits('kpi.placement.create');
    for (const [field, dates] of [
      ['endsOn', { startsOn: '2026-11-01', endsOn: '9999-12-31' }],
      ['startsOn', { startsOn: '0001-01-01', endsOn: '2026-12-31' }],
      ['endsOn', { startsOn: '2026-11-01', endsOn: '2206-01-31' }],
    ] as const) {
      const res = await h.request('POST', '/api/v1/kpi/placements', { body: { municipalityId: m, address: 'ул. Весенняя, 5', ...dates } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION', details: { field } });
    }
    expect(await audits('kpi.placement.create')).toEqual(before);
    const publication = await h.request('POST', '/api/v1/kpi/publications', { body: { municipalityId: m, url: 'https://x.example/old', outlet: 'Сайт', publishedOn: '0026-11-20' } });
    expect(publication.status).toBe(400);
    expect(publication.body).toMatchObject({ code: 'VALIDATION', details: { field: 'publishedOn' } });
  });

  it('the same placement sent twice (a retried form) is one unit: 409 the second time, KPI 14 counts it once', async () => {
    const m = h.municipality.Novokuznetsk;
    const body = { municipalityId: m, address: 'пр. Металлургов, 1', startsOn: '2026-11-01', endsOn: '2027-01-31' };
    expect((await h.request('POST', '/api/v1/kpi/placements', { body })).status).toBe(201);
    const again = await h.request('POST', '/api/v1/kpi/placements', { body: { ...body, address: '  пр. металлургов,  1 ' } });
    expect(again.status).toBe(409);
    expect(again.body.details).toMatchObject({ field: 'address' });
    // Another unit at the same address over other dates is another placement.
    expect((await h.request('POST', '/api/v1/kpi/placements', { body: { ...body, startsOn: '2027-02-01', endsOn: '2027-04-30' } })).status).toBe(201);
    const kpi = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2026-11`);
    expect(kpi.body.items.find((i: { kpi: number }) => i.kpi === 14)).toMatchObject({ numerator: 1 });
  });

  it('identical forms sent in the same instant make one unit: the database refuses the others with the same 409', async () => {
    const m = h.municipality.Belovo;
    const body = { municipalityId: m, address: 'ул. Советская, 12', startsOn: '2026-10-01', endsOn: '2026-12-31' };
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => h.request('POST', '/api/v1/kpi/placements', { body: { ...body, address: i % 2 ? ' УЛ. советская,   12' : body.address } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const first = results.find((r) => r.status === 201)!.body.id;
    for (const r of results.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'address', id: first } });
    const rows = await h.t.db.selectFrom('kpi_placement').select('id').where('municipality_id', '=', m).where('starts_on', '=', '2026-10-01').execute();
    expect(rows).toHaveLength(1);
    // The database itself refuses a second row for the unit, whatever writes it.
    await expect(
      h.t.db
        .insertInto('kpi_placement')
        .values({ municipality_id: m, address: 'ул. советская, 12', starts_on: '2026-10-01', ends_on: '2026-12-31', media_id: null, created_by: null, created_at: h.now() })
        .execute(),
    ).rejects.toThrow(/kpi_placement_unit_key/);
  });

  it('a publication is entered once per URL (409 the second time); a bad URL answers 400', async () => {
    const m = h.municipality.Belovo;
    const body = { municipalityId: m, url: 'https://belovo.example/news/kuzbass-online', outlet: 'Сайт администрации', publishedOn: '2026-11-20' };
    const first = await h.request('POST', '/api/v1/kpi/publications', { body });
    expect(first.status).toBe(201);
    const again = await h.request('POST', '/api/v1/kpi/publications', { body });
    expect(again.status).toBe(409);
    // The same page under another spelling of its URL is the same publication.
    for (const url of [
      'http://www.belovo.example/news/kuzbass-online/',
      'https://belovo.example/news/kuzbass-online?utm_source=vk&utm_medium=post',
      'https://belovo.example/news/kuzbass-online#comments',
    ]) {
      expect((await h.request('POST', '/api/v1/kpi/publications', { body: { ...body, url } })).status, url).toBe(409);
    }
    expect((await h.request('POST', '/api/v1/kpi/publications', { body: { ...body, url: 'javascript:alert(1)' } })).status).toBe(400);
    expect((await h.request('POST', '/api/v1/kpi/publications', { body: { ...body, url: 'https://x.example/2', publishedOn: '20.11.2026' } })).status).toBe(400);
    // Not yet published: the harness clock is 1 December 10:00 local, so the 2nd is tomorrow (the 1st is today).
    const future = await h.request('POST', '/api/v1/kpi/publications', { body: { ...body, url: 'https://x.example/3', publishedOn: '2026-12-02' } });
    expect(future.status).toBe(400);
    expect(future.body.details).toEqual({ field: 'publishedOn', problem: 'in the future' });
    const kpi = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2026-11`);
    expect(kpi.body.items.find((i: { kpi: number }) => i.kpi === 16)).toMatchObject({ numerator: 1, status: 'missed' });
    expect(await audits('kpi.publication.create')).toHaveLength(1);
  });

  it('a publication keeps its URL as given: an http-only site is listed with its http link', async () => {
    const m = h.municipality.Belovo;
    const url = 'http://www.belovo-tv.example/news/platforma/';
    const created = await h.request('POST', '/api/v1/kpi/publications', { body: { municipalityId: m, url, outlet: 'Беловское ТВ', publishedOn: '2026-11-21' } });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(url);
    const list = await h.request('GET', `/api/v1/kpi/publications?municipalityId=${m}`);
    expect(list.body.items.find((p: { id: number }) => p.id === created.body.id)?.url).toBe(url);
    // Still one publication per page: its https spelling is the same one.
    expect(
      (await h.request('POST', '/api/v1/kpi/publications', { body: { municipalityId: m, url: 'https://belovo-tv.example/news/platforma', outlet: 'ТВ', publishedOn: '2026-11-21' } })).status,
    ).toBe(409);
  });
});

describe('POST /kpi/recompute', () => {
  it('replaces the snapshot of an ended period, audited with the values before and after; a running period is 400', async () => {
    const m = h.municipality.Novokuznetsk;
    const res = await h.request('POST', '/api/v1/kpi/recompute', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: m, period: '2026-11' } });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(9);
    const [audit] = await audits('kpi.recompute');
    expect(audit).toMatchObject({ municipality_id: m, data: { period: '2026-11', before: [] } });
    const read = await h.request('GET', `/api/v1/kpi?municipalityId=${m}&period=2026-11`);
    expect(read.body.items.find((i: { kpi: number }) => i.kpi === 6)).toMatchObject({ fromSnapshot: true });
    const running = await h.request('POST', '/api/v1/kpi/recompute', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: m, period: '2026-12' } });
    expect(running.status).toBe(400);
    expect(await audits('kpi.recompute')).toHaveLength(1);
    const cross = await h.request('POST', '/api/v1/kpi/recompute', { token: h.keys.Kemerovo.curator, body: { municipalityId: m, period: '2026-11' } });
    expect(cross.status).toBe(404);
  });
});

describe('GET /reports/monthly', () => {
  let m: number;
  beforeAll(async () => {
    m = await freshMunicipality(h.t.db);
    // Filed on Monday 2 November at 10:00 local, closed at 14:00: 4 working hours; rated 5 and 2.
    await insertMessages(h.t.db, m, {
      count: 1,
      status: 'solved',
      createdAt: local('2026-11-02T10:00:00'),
      acceptedAt: local('2026-11-02T10:30:00'),
      closedAt: local('2026-11-02T14:00:00'),
      stars: 5,
    });
    await insertMessages(h.t.db, m, {
      count: 1,
      status: 'explained',
      createdAt: local('2026-11-02T10:00:00'),
      acceptedAt: local('2026-11-02T10:30:00'),
      closedAt: local('2026-11-03T10:00:00'),
      stars: 2,
    });
    // Accepted on 1 November and still in work a month later: overdue.
    await insertMessages(h.t.db, m, { count: 1, status: 'in_work', createdAt: local('2026-11-01T10:00:00'), acceptedAt: local('2026-11-01T12:00:00') });
    await insertMessages(h.t.db, m, { count: 3, status: 'new', createdAt: local('2025-11-05T10:00:00') });
  });

  it('JSON: timeliness, quality and dynamics', async () => {
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.timeliness).toMatchObject({ messages: 3, accepted: 3, overdue: 1, overdueShare: 0.3333, medianWorkingHoursToFirstAnswer: 6.5, medianWorkingHoursToClosure: 6.5 });
    expect(res.body.quality).toMatchObject({ rated: 2, averageStars: 3.5, share4to5: 0.5, stars: { '5': 1, '2': 1 } });
    expect(res.body.dynamics).toEqual([expect.objectContaining({ current: 3, previousMonth: 0, previousYear: 3, yearOverYear: 0, yearOverYearShare: 0, monthOverMonthShare: null })]);
    // November has ended (the clock is 1 December): its figures are as of its end, midnight in Kuzbass.
    expect(res.body).toMatchObject({ municipalityId: m, municipalityRu: expect.any(String), period: '2026-11', asOf: '2026-11-30T17:00:00.000Z' });
  });

  it('quality: answers returned by the curator and messages reopened during the month, in the municipality', async () => {
    const fresh = await freshMunicipality(h.t.db);
    const [a, b] = await insertMessages(h.t.db, fresh, { count: 2, status: 'in_work', createdAt: local('2026-10-20T10:00:00'), acceptedAt: local('2026-10-20T10:00:00') });
    const [elsewhere] = await insertMessages(h.t.db, await freshMunicipality(h.t.db), {
      count: 1,
      status: 'in_work',
      createdAt: local('2026-11-02T10:00:00'),
      acceptedAt: local('2026-11-02T10:00:00'),
    });
    const event = (messageId: number, at: string, e: { kind: string; from?: string; to?: string }) =>
      h.t.db
        .insertInto('message_event')
        .values({ message_id: messageId, kind: e.kind as never, actor_kind: 'staff', from_status: (e.from ?? null) as never, to_status: (e.to ?? null) as never, created_at: local(at) })
        .execute();
    const returned = { kind: 'answer_returned' };
    const reopened = { kind: 'status_changed', from: 'solved', to: 'in_work' };
    // In November: two returns (a message filed in October counts: the event's month matters) and one reopening.
    await event(a!, '2026-11-03T10:00:00', returned);
    await event(b!, '2026-11-04T10:00:00', returned);
    await event(b!, '2026-11-05T10:00:00', reopened);
    // Not counted: October's, other kinds and transitions, another municipality's.
    await event(a!, '2026-10-30T10:00:00', returned);
    await event(a!, '2026-10-31T10:00:00', reopened);
    await event(a!, '2026-11-06T10:00:00', { kind: 'status_changed', from: 'new', to: 'in_work' });
    await event(a!, '2026-11-06T11:00:00', { kind: 'closed', from: 'in_work', to: 'solved' });
    await event(elsewhere!, '2026-11-07T10:00:00', returned);
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.quality).toMatchObject({ answersReturned: 2, messagesReopened: 1 });
    const csv = csvCodes(
      parse((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11&format=csv`)).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][],
    );
    expect(csv).toContainEqual(['Quality', 'answers_returned', '2']);
    expect(csv).toContainEqual(['Quality', 'messages_reopened', '1']);
  });

  it('CSV: a section per part', async () => {
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = csvCodes(parse(res.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(rows).toContainEqual(['Timeliness', 'overdue', '1']);
    expect(rows).toContainEqual(['Quality', 'share_4_to_5', '0.5']);
    expect(rows.filter((r) => r[0] === 'Dynamics')).toHaveLength(1);
    // The file says what it covers: it goes up apart from the request that made it.
    expect(rows[0]).toEqual(['part', 'field', 'value']);
    expect(rows.filter((r) => r[0] === 'Report').map((r) => r[1])).toEqual(['municipality_id', 'municipality_ru', 'municipality_en', 'period', 'as_of', 'snapshot_at', 'live_differs']);
    expect(rows).toContainEqual(['Report', 'municipality_id', String(m)]);
    expect(rows).toContainEqual(['Report', 'period', '2026-11']);
    // In Kuzbass time: midnight of 1 December, the end of November (not «30 November, 17:00» in UTC).
    expect(rows).toContainEqual(['Report', 'as_of', '2026-12-01T00:00:00.000+07:00']);
  });

  it('CSV and XLSX are labelled for the officials who read them: Russian by default, English with lang=en', async () => {
    const csv = (lang: string) => h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=csv${lang}`);
    const ru = parse((await csv('')).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(ru[0]).toEqual(['Раздел', 'Поле', 'Значение']);
    expect(ru).toContainEqual(['Своевременность', 'Просрочено', '1']);
    expect(ru).toContainEqual(['Качество', 'Доля оценок 4–5', '0.5']);
    expect(ru).toContainEqual(['Отчёт', 'Данные на', '2026-12-01T00:00:00.000+07:00']);
    expect(ru).toContainEqual([
      'Раздел',
      'Источник',
      'За месяц',
      'За предыдущий месяц',
      'За тот же месяц год назад',
      'Изменение к предыдущему месяцу',
      'Изменение к предыдущему месяцу, доля',
      'Изменение к прошлому году',
      'Изменение к прошлому году, доля',
    ]);
    expect(ru.filter((r) => r[0] === 'Динамика открытых источников').at(-1)?.[1]).toBe('Все источники');
    // No English code is left in a Russian file's labels.
    expect(ru.flatMap((r) => r.slice(0, 2)).filter((cell) => /^[a-z]+(_[a-z0-9]+)+$|^(overdue|messages|rated|part|metric)$/.test(cell))).toEqual([]);
    expect(await csv('&lang=ru').then((r) => r.text)).toBe((await csv('')).text);
    const en = parse((await csv('&lang=en')).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(en[0]).toEqual(['Part', 'Field', 'Value']);
    expect(en).toContainEqual(['Timeliness', 'Overdue', '1']);
    expect(en).toContainEqual(['Quality', 'Share of 4–5 stars', '0.5']);
    expect((await csv('&lang=de')).status).toBe(400);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await fetchBytes(`/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=xlsx`));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Отчёт', 'Своевременность', 'Качество', 'Динамика', 'Открытые источники', 'Динамика открытых источников']);
    expect((workbook.getWorksheet('Динамика')!.getRow(1).values as unknown[]).slice(1, 7)).toEqual(['Код сферы', 'Сфера', 'Сфера (англ.)', 'Код категории', 'Категория', 'Категория (англ.)']);
    const english = new ExcelJS.Workbook();
    await english.xlsx.load(await fetchBytes(`/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=xlsx&lang=en`));
    expect(english.worksheets.map((s) => s.name)).toEqual(['Report', 'Timeliness', 'Quality', 'Dynamics', 'Open sources', 'Open-source dynamics']);
  });

  it('XLSX: one sheet per part, read back with exceljs', async () => {
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    const raw = await fetchBytes(`/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(raw);
    workbookCodes(workbook);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Report', 'Timeliness', 'Quality', 'Dynamics', 'OpenSource', 'OpenSourceDynamics']);
    const report = new Map<string, unknown>();
    workbook.getWorksheet('Report')!.eachRow((row) => report.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(Object.fromEntries(report)).toEqual({
      field: 'value',
      municipality_id: m,
      municipality_ru: expect.any(String),
      municipality_en: expect.any(String),
      period: '2026-11',
      as_of: '2026-12-01T00:00:00.000+07:00',
      // No snapshot of November here: measured live, so neither when it was frozen nor whether the data differ.
      snapshot_at: null,
      live_differs: null,
    });
    const timeliness = workbook.getWorksheet('Timeliness')!;
    const values = new Map<string, unknown>();
    timeliness.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('overdue')).toBe(1);
    expect(values.get('median_working_hours_to_closure')).toBe(6.5);
    expect(workbook.getWorksheet('Dynamics')!.getRow(2).getCell(7).value).toBe(3);
  });

  it('open-source messages (seed 004 §25): timeliness of preparing and publishing answers, quality and dynamics per source, in JSON, CSV and XLSX', async () => {
    const fresh = await freshMunicipality(h.t.db);
    // Working days 09:00–18:00 (Kuzbass time); Monday 9 to Thursday 12 November 2026.
    // A (wall): drafted in 30 min (met), returned once, approved, posted under the post at 11:10 (1 h 10 min), solved, 4 stars.
    const a = await insertOpenSourceMessage(h.t.db, fresh, 'vk_wall', 'source_comment', '2026-11-09T10:00:00', {
      status: 'solved',
      stars: 4,
      draft: { at: '2026-11-09T10:30:00', returnedAt: '2026-11-09T10:40:00', approvedAt: '2026-11-09T11:00:00', sentAt: '2026-11-09T11:10:00' },
    });
    // B (page): intermediate drafted after 2 h (missed), approved, published by hand at 16:00 (4 working hours).
    await insertOpenSourceMessage(h.t.db, fresh, 'vk_page', 'by_hand', '2026-11-09T12:00:00', {
      draft: { at: '2026-11-09T14:00:00', kind: 'intermediate', approvedAt: '2026-11-09T14:30:00', byHandAt: '2026-11-09T16:00:00' },
    });
    // C (OK): no draft at all (missed). D (OK): clarification drafted in 20 min (met), approved, not published yet.
    await insertOpenSourceMessage(h.t.db, fresh, 'ok', 'by_hand', '2026-11-10T10:00:00');
    await insertOpenSourceMessage(h.t.db, fresh, 'ok', 'by_hand', '2026-11-11T10:00:00', { draft: { at: '2026-11-11T10:20:00', kind: 'clarification', approvedAt: '2026-11-11T10:50:00' } });
    // Not in the section: a resident's message, and an open-source duplicate linked to A in work (counted once, as A).
    await insertMessages(h.t.db, fresh, { count: 1, status: 'in_work', createdAt: local('2026-11-12T10:00:00'), acceptedAt: local('2026-11-12T10:00:00') });
    const duplicate = await insertOpenSourceMessage(h.t.db, fresh, 'vk_wall', 'source_comment', '2026-11-12T11:00:00');
    await h.t.db.updateTable('message').set({ duplicate_of: a }).where('id', '=', duplicate).execute();
    // Dynamics: one wall message in October, two OK ones in November 2025.
    await insertOpenSourceMessage(h.t.db, fresh, 'vk_wall', 'source_comment', '2026-10-12T10:00:00');
    await insertOpenSourceMessage(h.t.db, fresh, 'ok', 'by_hand', '2025-11-10T10:00:00');
    await insertOpenSourceMessage(h.t.db, fresh, 'ok', 'by_hand', '2025-11-11T10:00:00');

    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11`);
    expect(res.status).toBe(200);
    const o = res.body.openSource;
    expect(o.messages).toBe(4);
    expect(o.timeliness).toEqual({
      firstHourRule: { met: 2, missed: 2, pending: 0, compliance: 0.5 },
      // 30, 120 and 20 minutes.
      medianWorkingMinutesToFirstDraft: 30,
      answersApproved: 3,
      answersPublished: 2,
      publishedAsSourceComment: 1,
      publishedByHand: 1,
      awaitingPublication: 1,
      messagesWithPublishedAnswer: 2,
      // (70 / 60 + 4) / 2 = 2.583…
      medianWorkingHoursToFirstPublication: 2.58,
    });
    expect(o.quality).toEqual({ drafts: 3, draftsReturned: 1, returnedShare: 0.3333, closed: 1, solved: 1, solvedShare: 1, rated: 1, averageStars: 4, share4to5: 1 });
    expect(o.dynamics.total).toEqual({ current: 4, previousMonth: 1, previousYear: 2, monthOverMonth: 3, monthOverMonthShare: 3, yearOverYear: 2, yearOverYearShare: 1 });
    const bySource = Object.fromEntries(
      o.dynamics.bySource.map((r: { source: string; current: number; previousMonth: number; previousYear: number }) => [r.source, [r.current, r.previousMonth, r.previousYear]]),
    );
    expect(bySource).toEqual({ vk_wall: [1, 1, 0], vk_page: [1, 0, 0], ok: [2, 0, 2], web: [0, 0, 0], open311: [0, 0, 0], other: [0, 0, 0] });
    // The whole report still covers every message: the resident's too (the duplicate counted once).
    expect(res.body.timeliness).toMatchObject({ messages: 5, firstHourRule: { messages: 4, onTime: 2, compliance: 0.5 } });

    const csv = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11&format=csv`);
    const rows = csvCodes(parse(csv.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(rows).toContainEqual(['part', 'metric', 'value']);
    expect(rows).toContainEqual(['OpenSource', 'first_hour_rule_missed', '2']);
    expect(rows).toContainEqual(['OpenSource', 'published_by_hand', '1']);
    expect(rows).toContainEqual(['OpenSource', 'drafts_returned', '1']);
    expect(rows).toContainEqual(['part', 'source', 'current', 'previous_month', 'previous_year', 'month_over_month', 'month_over_month_share', 'year_over_year', 'year_over_year_share']);
    expect(rows).toContainEqual(['OpenSourceDynamics', 'ok', '2', '0', '2', '2', '', '0', '0']);
    expect(rows).toContainEqual(['OpenSourceDynamics', 'all', '4', '1', '2', '3', '3', '2', '1']);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await fetchBytes(`/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11&format=xlsx`));
    workbookCodes(workbook);
    const values = new Map<string, unknown>();
    workbook.getWorksheet('OpenSource')!.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('first_hour_rule_compliance')).toBe(0.5);
    expect(values.get('median_working_hours_to_first_publication')).toBe(2.58);
    const dynamics = workbook.getWorksheet('OpenSourceDynamics')!;
    const cells = (n: number) => Array.from({ length: 8 }, (_, i) => dynamics.getRow(n).getCell(i + 1).value);
    expect(cells(2)).toEqual(['vk_wall', 1, 1, 0, 0, 0, 1, null]);
    expect(cells(8)).toEqual(['all', 4, 1, 2, 3, 3, 2, 1]);
  });

  it('first-hour rule: a message in work marked urgent later counts its hour from the marking, as its executor was told', async () => {
    const fresh = await freshMunicipality(h.t.db);
    // Accepted on Tuesday 10 November at 10:00; marked urgent on Thursday the 12th at 10:00; drafted at 10:30.
    const [id] = await insertMessages(h.t.db, fresh, { count: 1, status: 'in_work', createdAt: local('2026-11-10T10:00:00'), acceptedAt: local('2026-11-10T10:00:00') });
    await markUrgent(h.t.db, { messageId: id!, actor: { kind: 'staff', staffId: h.staff.Kemerovo.curator } }, local('2026-11-12T10:00:00'));
    await draftAnswer(h.t.db, { messageId: id!, kind: 'intermediate', text: 'Выехала бригада', actor: { kind: 'staff', staffId: h.staff.Kemerovo.executor } }, local('2026-11-12T10:30:00'));
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.timeliness.firstHourRule).toEqual({ messages: 1, onTime: 1, compliance: 1 });
  });

  it('first-hour rule: a message whose working hour has not run out yet is not counted as missed', async () => {
    // The harness clock is Tuesday 1 December, 10:00 local; accepted at 09:40, due at 10:40.
    const fresh = await freshMunicipality(h.t.db);
    const [id] = await insertMessages(h.t.db, fresh, { count: 1, status: 'in_work', createdAt: local('2026-12-01T09:40:00'), acceptedAt: local('2026-12-01T09:40:00') });
    await h.t.db.updateTable('message').set({ open_source: true }).where('id', '=', id!).execute();
    const res = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-12`);
    expect(res.status).toBe(200);
    expect(res.body.timeliness.firstHourRule).toEqual({ messages: 0, onTime: 0, compliance: null });
    // A month still running: the figures are as of now, and the report says so.
    expect(res.body.asOf).toBe(h.now().toISOString());
  });

  it("a month's figures are as of its end: an answer or a closure after it is not in October's medians, as the overdue count does not see it either", async () => {
    const fresh = await freshMunicipality(h.t.db);
    // Wednesday 28 October, 10:00 local: one closed at 14:00 the same day (4 working hours) ...
    await insertMessages(h.t.db, fresh, { count: 1, status: 'solved', createdAt: local('2026-10-28T10:00:00'), acceptedAt: local('2026-10-28T10:30:00'), closedAt: local('2026-10-28T14:00:00') });
    // ... and one answered on 2 November and closed on 3 November, after October's end.
    await insertMessages(h.t.db, fresh, {
      count: 1,
      status: 'solved',
      createdAt: local('2026-10-28T10:00:00'),
      acceptedAt: local('2026-10-28T10:30:00'),
      firstIntermediateAt: local('2026-11-02T10:00:00'),
      closedAt: local('2026-11-03T10:00:00'),
    });
    const october = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${fresh}&period=2026-10`);
    expect(october.status).toBe(200);
    expect(october.body.asOf).toBe('2026-10-31T17:00:00.000Z');
    expect(october.body.timeliness).toMatchObject({ messages: 2, accepted: 2, overdue: 0, medianWorkingHoursToFirstAnswer: 4, medianWorkingHoursToClosure: 4 });
  });

  it('refuses a year or a malformed month and another municipality', async () => {
    expect((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026`)).status).toBe(400);
    expect((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11&format=pdf`)).status).toBe(400);
    expect((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`, { token: h.keys.Kemerovo.curator })).status).toBe(404);
  });
});

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const res = await h.app.http.request(url, { headers: { authorization: `Bearer ${h.operator}` } });
  return res.arrayBuffer();
}

describe('GET /ratings/executors', () => {
  it('ranks a small case as worked out by hand', async () => {
    const m = await freshMunicipality(h.t.db);
    const [a, b] = await Promise.all(
      ['Управление ЖКХ', 'Водоканал'].map(
        async (name) => (await h.t.db.insertInto('executor').values({ municipality_id: m, name, kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id,
      ),
    );
    // A: two closed in November, 4 and 2 working hours (median 3), stars 5 and 3 (mean 4), both received in November.
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: a,
      status: 'solved',
      createdAt: local('2026-11-02T10:00:00'),
      acceptedAt: local('2026-11-02T10:00:00'),
      closedAt: local('2026-11-02T14:00:00'),
      stars: 5,
    });
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: a,
      status: 'solved',
      createdAt: local('2026-11-03T10:00:00'),
      acceptedAt: local('2026-11-03T10:00:00'),
      closedAt: local('2026-11-03T12:00:00'),
      stars: 3,
    });
    // B: one closed in 1 working hour, 5 stars; of two received, one still in work.
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: b,
      status: 'solved',
      createdAt: local('2026-11-02T10:00:00'),
      acceptedAt: local('2026-11-02T10:00:00'),
      closedAt: local('2026-11-02T11:00:00'),
      stars: 5,
    });
    await insertMessages(h.t.db, m, { count: 1, executorId: b, status: 'in_work', createdAt: local('2026-11-04T10:00:00'), acceptedAt: local('2026-11-04T10:00:00') });
    const res = await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.weights).toEqual({ quantity: 1, quality: 1, speed: 1, completeness: 1 });
    // A: (1 + 0.75 + 1/3 + 1) / 4 = 77.08; B: (0.5 + 1 + 1 + 0.5) / 4 = 75.
    expect(res.body.items).toEqual([
      expect.objectContaining({
        rank: 1,
        executorId: a,
        closed: 2,
        averageStars: 4,
        medianWorkingHoursToClosure: 3,
        completeness: 1,
        scores: { quantity: 1, quality: 0.75, speed: 0.3333, completeness: 1 },
        score: 77.08,
      }),
      expect.objectContaining({ rank: 2, executorId: b, closed: 1, averageStars: 5, medianWorkingHoursToClosure: 1, received: 2, closedOfReceived: 1, completeness: 0.5, score: 75 }),
    ]);
    expect((await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`, { token: h.keys.Kemerovo.curator })).status).toBe(404);
    expect((await h.request('GET', '/api/v1/ratings/executors?period=11-2026')).status).toBe(400);
  });

  it("quality counts only the stars given within the month: a rating given after it is not the month's", async () => {
    const m = await freshMunicipality(h.t.db);
    const e = (await h.t.db.insertInto('executor').values({ municipality_id: m, name: 'Горсвет', kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id;
    const closed = { count: 1, executorId: e, status: 'solved' as const, createdAt: local('2026-11-30T10:00:00'), acceptedAt: local('2026-11-30T10:00:00'), closedAt: local('2026-11-30T12:00:00') };
    await insertMessages(h.t.db, m, { ...closed, stars: 5, ratedAt: local('2026-11-30T23:00:00') });
    // Closed in November, rated 1 star on 1 December at 09:00 (the harness's now is 10:00 that day).
    await insertMessages(h.t.db, m, { ...closed, stars: 1, ratedAt: local('2026-12-01T09:00:00') });
    const executors = await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`);
    expect(executors.body.items).toEqual([expect.objectContaining({ executorId: e, closed: 2, rated: 1, averageStars: 5, scores: expect.objectContaining({ quality: 1 }) })]);
    const municipality = await h.request('GET', `/api/v1/ratings/municipalities?municipalityId=${m}&period=2026-11`);
    expect(municipality.body.items).toEqual([expect.objectContaining({ municipalityId: m, closed: 2, rated: 1, averageStars: 5 })]);
    // The monthly report, as of November's end, has the same single rating.
    const report = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`);
    expect(report.body.quality).toMatchObject({ rated: 1, averageStars: 5, stars: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 } });
  });

  it('a closure within no working time (filed and closed over a weekend) does not take every other speed to 0: under an hour is as fast as it gets', async () => {
    const m = await freshMunicipality(h.t.db);
    const [night, day] = await Promise.all(
      ['Дежурная служба', 'Управление дорог'].map(
        async (name) => (await h.t.db.insertInto('executor').values({ municipality_id: m, name, kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id,
      ),
    );
    // Saturday 7 November, 10:00 to 12:00: no working hour at all.
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: night,
      status: 'solved',
      createdAt: local('2026-11-07T10:00:00'),
      acceptedAt: local('2026-11-07T10:00:00'),
      closedAt: local('2026-11-07T12:00:00'),
    });
    // Monday 9 November, 10:00 to 12:00: 2 working hours.
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: day,
      status: 'solved',
      createdAt: local('2026-11-09T10:00:00'),
      acceptedAt: local('2026-11-09T10:00:00'),
      closedAt: local('2026-11-09T12:00:00'),
    });
    const res = await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`);
    expect(res.status).toBe(200);
    const of = (id: number) => res.body.items.find((r: { executorId: number }) => r.executorId === id);
    expect(of(night!)).toMatchObject({ medianWorkingHoursToClosure: 0, scores: { speed: 1 } });
    // 1 working hour (the fastest counted) / 2.
    expect(of(day!)).toMatchObject({ medianWorkingHoursToClosure: 2, scores: { speed: 0.5 } });
  });

  it("ranks an executor on its own municipality's messages, also in the whole region's ranking", async () => {
    const m = await freshMunicipality(h.t.db);
    const other = await freshMunicipality(h.t.db);
    const e = (await h.t.db.insertInto('executor').values({ municipality_id: m, name: 'Горсвет', kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id;
    const closed = (municipality: number, at: string) =>
      insertMessages(h.t.db, municipality, { count: 1, executorId: e, status: 'solved', createdAt: local(at), acceptedAt: local(at), closedAt: local(at.replace('T10', 'T12')), stars: 4 });
    await closed(m, '2026-11-02T10:00:00');
    // A message of another municipality that names this executor is not its municipality's work.
    await closed(other, '2026-11-03T10:00:00');
    const region = await h.request('GET', '/api/v1/ratings/executors?period=2026-11');
    expect(region.status).toBe(200);
    const own = await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=2026-11`);
    for (const items of [region.body.items, own.body.items])
      expect(items.find((r: { executorId: number }) => r.executorId === e)).toMatchObject({ municipalityId: m, closed: 1, received: 1, closedOfReceived: 1, medianWorkingHoursToClosure: 2 });
  });
});

describe('GET /ratings/municipalities', () => {
  let p: number;
  let q: number;
  beforeAll(async () => {
    // March 2025: no other messages in this database. Working days 09:00–18:00, Kuzbass time.
    p = await freshMunicipality(h.t.db);
    q = await freshMunicipality(h.t.db);
    const closed = (at: string, hours: number, stars: number) => ({
      count: 1,
      status: 'solved' as const,
      createdAt: local(at),
      acceptedAt: local(at),
      closedAt: new Date(local(at).getTime() + hours * 3_600_000),
      stars,
    });
    // P: two closed, in 4 and 2 working hours (median 3), stars 5 and 3 (mean 4), both received in March. No executor named: a municipality counts all its messages.
    await insertMessages(h.t.db, p, closed('2025-03-03T10:00:00', 4, 5));
    await insertMessages(h.t.db, p, closed('2025-03-04T10:00:00', 2, 3));
    // Q: one closed in 1 working hour, 5 stars; of two received, one still in work; a duplicate linked in work (closed in 8 hours, 1 star) counts once, as its original.
    const [original] = await insertMessages(h.t.db, q, closed('2025-03-03T10:00:00', 1, 5));
    await insertMessages(h.t.db, q, { count: 1, status: 'in_work', createdAt: local('2025-03-05T10:00:00'), acceptedAt: local('2025-03-05T10:00:00') });
    const [duplicate] = await insertMessages(h.t.db, q, closed('2025-03-03T09:00:00', 8, 1));
    await h.t.db.updateTable('message').set({ duplicate_of: original! }).where('id', '=', duplicate!).execute();
  });

  it('ranks municipalities by quantity, quality, speed and completeness with the executors’ scoring, as worked out by hand', async () => {
    const res = await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03');
    expect(res.status).toBe(200);
    expect(res.body.weights).toEqual({ quantity: 1, quality: 1, speed: 1, completeness: 1 });
    // P: (1 + 0.75 + 1/3 + 1) / 4 = 77.08; Q: (0.5 + 1 + 1 + 0.5) / 4 = 75; every other municipality: nothing, 0.
    const [first, second, ...rest] = res.body.items;
    expect(first).toEqual({
      rank: 1,
      municipalityId: p,
      nameRu: expect.any(String),
      nameEn: expect.any(String),
      closed: 2,
      rated: 2,
      averageStars: 4,
      medianWorkingHoursToFirstAnswer: 3,
      medianWorkingHoursToClosure: 3,
      received: 2,
      closedOfReceived: 2,
      completeness: 1,
      scores: { quantity: 1, quality: 0.75, speed: 0.3333, completeness: 1 },
      score: 77.08,
      // March 2025 has no snapshot (the job freezes the month just ended): measured live.
      fromSnapshot: false,
      snapshotAt: null,
      snapshotRecomputed: false,
      liveDiffers: null,
      live: null,
    });
    expect(second).toMatchObject({
      rank: 2,
      municipalityId: q,
      closed: 1,
      rated: 1,
      averageStars: 5,
      medianWorkingHoursToClosure: 1,
      received: 2,
      closedOfReceived: 1,
      completeness: 0.5,
      scores: { quantity: 0.5, quality: 1, speed: 1, completeness: 0.5 },
      score: 75,
    });
    expect(rest.length).toBe((await h.t.db.selectFrom('municipality').select('id').execute()).length - 2);
    // Every other municipality scores 0: they share 3rd place (1, 2, 3, 3, 3 …), not 3rd, 4th, 5th by name.
    expect(rest.length).toBeGreaterThan(1);
    expect(rest.every((r: { score: number; closed: number; rank: number }) => r.score === 0 && r.closed === 0 && r.rank === 3)).toBe(true);
    // The executors' rating of the same month has no one: no executor was named.
    expect((await h.request('GET', `/api/v1/ratings/executors?municipalityId=${p}&period=2025-03`)).body.items.every((r: { closed: number }) => r.closed === 0)).toBe(true);
    // The year gives the same here (nothing else in 2025 for P and Q).
    const year = await h.request('GET', `/api/v1/ratings/municipalities?period=2025&municipalityId=${q}`);
    expect(year.body.items).toEqual([expect.objectContaining({ municipalityId: q, closed: 1, score: 75 })]);
  });

  it('uses the weights of KPI_RATING_WEIGHTS: speed alone puts Q first', async () => {
    const items = await rateMunicipalities(h.t.db, { municipalityId: null, period: '2025-03' }, { quantity: 0, quality: 0, speed: 1, completeness: 0 }, h.now());
    // Q: 1 → 100; P: 1/3 → 33.33.
    expect(items.slice(0, 2).map((r) => [r.municipalityId, r.rank, r.score])).toEqual([
      [q, 1, 100],
      [p, 2, 33.33],
    ]);
  });

  it('a named municipality gets its own row with its rank in the region; the existing region rating is unchanged', async () => {
    const res = await h.request('GET', `/api/v1/ratings/municipalities?period=2025-03&municipalityId=${q}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ rank: 2, municipalityId: q, score: 75 })]);
    const region = await h.request('GET', '/api/v1/kpi/region?period=2025-03');
    expect(region.status).toBe(200);
    expect(Object.keys(region.body.items[0]).sort()).toEqual(['counts', 'indicators', 'municipalityId', 'nameEn', 'nameRu', 'rank', 'score']);
  });

  it("officials of a municipality see their own row (without naming it); another municipality's is 404; any role with kpi.read may ask", async () => {
    for (const role of ['curator', 'moderator', 'executor', 'responsible'] as const) {
      const own = await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03', { token: h.keys.Kemerovo[role] });
      expect(own.status, role).toBe(200);
      expect(own.body.items, role).toEqual([expect.objectContaining({ municipalityId: h.municipality.Kemerovo, closed: 0, score: 0, rank: expect.any(Number) })]);
      expect(own.body.items[0].rank).toBeGreaterThan(2);
      const cross = await h.request('GET', `/api/v1/ratings/municipalities?period=2025-03&municipalityId=${q}`, { token: h.keys.Kemerovo[role] });
      expect(cross.status, role).toBe(404);
      expect(cross.body.code).toBe('MUNICIPALITY_NOT_FOUND');
      expect(JSON.stringify(cross.body)).not.toContain('score');
    }
    expect((await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03', { token: null })).status).toBe(401);
  });

  it('refuses a malformed period, an unknown municipality and an unknown parameter', async () => {
    for (const period of ['2025-13', '03-2025', '2025-W10', '']) {
      const res = await h.request('GET', `/api/v1/ratings/municipalities?period=${period}`);
      expect(res.status, period).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
    }
    expect((await h.request('GET', '/api/v1/ratings/municipalities')).status).toBe(400);
    expect((await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03&municipalityId=999999')).status).toBe(404);
    expect((await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03&municipalityId=abc')).status).toBe(400);
    expect((await h.request('GET', '/api/v1/ratings/municipalities?period=2025-03&by=kpi')).status).toBe(400);
  });
});

describe('POST /kpi-groups', () => {
  it('names a group of officials responsible for indicators (audited); unknown officials 404, a second group of that name 409', async () => {
    const m = h.municipality.Kemerovo;
    const body = { municipalityId: m, name: 'Рабочая группа', staffIds: [h.staff.Kemerovo.responsible, h.staff.Kemerovo.curator], kpis: [2, 6, 6] };
    const res = await h.request('POST', '/api/v1/kpi-groups', { token: h.keys.Kemerovo.curator, body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ municipalityId: m, name: 'Рабочая группа', kpis: [2, 6] });
    expect((await audits('kpi_group.create')).at(-1)).toMatchObject({ entity_id: String(res.body.id), municipality_id: m });
    const list = await h.request('GET', `/api/v1/kpi-groups?municipalityId=${m}`, { token: h.keys.Kemerovo.responsible });
    expect(list.body.items).toEqual([res.body]);
    expect((await h.request('POST', '/api/v1/kpi-groups', { body })).status).toBe(409);
    expect((await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, name: 'Другая', staffIds: [h.staff.Novokuznetsk.curator] } })).status).toBe(404);
    expect((await h.request('POST', '/api/v1/kpi-groups', { token: h.keys.Novokuznetsk.curator, body: { ...body, name: 'Чужая' } })).status).toBe(404);
    expect((await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, name: 'Третья', kpis: [17] } })).status).toBe(400);
    const replaced = await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, id: res.body.id, staffIds: [h.staff.Kemerovo.responsible], kpis: [9] } });
    expect(replaced.body).toMatchObject({ id: res.body.id, staffIds: [h.staff.Kemerovo.responsible], kpis: [9] });
  });

  it('a second group named the same in another case or spacing is 409 naming the first, as placements compare addresses (was a second group)', async () => {
    const m = h.municipality.Belovo;
    const first = await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: m, name: 'Штаб по обращениям', staffIds: [], kpis: [3] } });
    expect(first.status).toBe(200);
    for (const name of ['штаб по обращениям', 'ШТАБ  ПО   ОБРАЩЕНИЯМ', ' Штаб по\tобращениям ']) {
      const again = await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: m, name, staffIds: [], kpis: [4] } });
      expect(again.status, name).toBe(409);
      expect(again.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name', id: first.body.id } });
    }
    // Renaming another group so is refused too; the group itself may change its case.
    const other = await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: m, name: 'Другой штаб', staffIds: [], kpis: [5] } });
    const renamed = await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: m, id: other.body.id, name: 'ШТАБ ПО ОБРАЩЕНИЯМ', staffIds: [], kpis: [5] } });
    expect(renamed.status).toBe(409);
    expect((await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: m, id: first.body.id, name: 'Штаб по Обращениям', staffIds: [], kpis: [3] } })).status).toBe(200);
    const names = (await h.request('GET', `/api/v1/kpi-groups?municipalityId=${m}`)).body.items.map((g: { name: string }) => g.name);
    expect(names).toEqual(['Штаб по Обращениям', 'Другой штаб']);
  });

  it('replacing a group that does not exist, or one of another municipality, is 404 STAFF_GROUP_NOT_FOUND naming it; nothing is created', async () => {
    const body = { municipalityId: h.municipality.Novokuznetsk, name: 'Группа Новокузнецка', staffIds: [], kpis: [1] };
    const own = await h.request('POST', '/api/v1/kpi-groups', { body });
    expect(own.status).toBe(200);
    const kemerovo = await h.request('POST', '/api/v1/kpi-groups', { body: { municipalityId: h.municipality.Kemerovo, name: 'Группа Кемерова', staffIds: [], kpis: [2] } });
    for (const id of [999_999, kemerovo.body.id]) {
      const res = await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, id, name: 'Переименованная' } });
      expect([res.status, res.body.code, res.body.details], String(id)).toEqual([404, 'STAFF_GROUP_NOT_FOUND', { id }]);
    }
    const list = await h.request('GET', `/api/v1/kpi-groups?municipalityId=${h.municipality.Novokuznetsk}`);
    expect(list.body.items).toEqual([own.body]);
    const theirs = await h.request('GET', `/api/v1/kpi-groups?municipalityId=${h.municipality.Kemerovo}`);
    expect(theirs.body.items.find((g: { id: number }) => g.id === kemerovo.body.id)).toEqual(kemerovo.body);
  });

  it('renaming a group to the name of another group of the municipality is 409 naming it, not 500; nothing changes', async () => {
    const m = h.municipality.Belovo;
    const body = { municipalityId: m, staffIds: [], kpis: [1] };
    const first = await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, name: 'Группа 1' } });
    const second = await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, name: 'Группа 2' } });
    const renamed = await h.request('POST', '/api/v1/kpi-groups', { body: { ...body, id: second.body.id, name: 'Группа 1', kpis: [3] } });
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name', id: first.body.id } });
    const list = await h.request('GET', `/api/v1/kpi-groups?municipalityId=${m}`);
    expect(list.body.items.find((g: { id: number }) => g.id === second.body.id)).toMatchObject({ name: 'Группа 2', kpis: [1] });
  });
});
