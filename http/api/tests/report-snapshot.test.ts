import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateExecutors, rateMunicipalities } from '../../../core/kpi/ratings.ts';
import { reportLabels } from '../../../core/kpi/report-labels.ts';
import { runKpiSnapshots, snapshotPeriod } from '../../../core/kpi/snapshots.ts';
import { freshMunicipality, insertMessages, local } from '../../../core/kpi/tests/kpi-data.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { csvCodes, workbookCodes } from './report-codes.ts';

/**
 * An ended month's monthly report and rankings are, like its 16 KPIs, the figures frozen when the
 * month closed (kpi_report_snapshot, taken by the kpi-snapshots job with the KPIs): a message
 * reopened after the month ended changes the live figures, not the month's, until POST
 * /kpi/recompute; the responses (and the report's files) say when the figures were frozen and that
 * the data now differ. The running month, and an ended one without a snapshot, are live.
 * The harness's clock: 1 December 2026, 10:00 in Kemerovo (UTC+7).
 */
let h: ApiHarness;
let m: number;
let executor: number;
/** Per month: the solved messages (executor's), the first of them reopened by a test. */
const solved: Record<string, number[]> = {};
const snapshotAt = '2026-12-01T03:00:00.000Z';

beforeAll(async () => {
  h = await createApiHarness();
  m = await freshMunicipality(h.t.db);
  executor = (await h.t.db.insertInto('executor').values({ municipality_id: m, name: 'Управление ЖКХ', kind: 'organisation' }).returning('id').executeTakeFirstOrThrow()).id;
  for (const [month, day] of [
    ['2026-10', '2026-10-12'],
    ['2026-11', '2026-11-10'],
    ['2026-12', '2026-12-01'],
  ] as const) {
    // Two solved (5 and 3 stars, 2 and 4 working hours), one explained (1 hour), one still in work.
    const at = (time: string) => local(`${day}T${time}`);
    const first = { count: 1, executorId: executor, status: 'solved' as const, createdAt: at('01:00:00'), acceptedAt: at('01:00:00') };
    solved[month] = [
      ...(await insertMessages(h.t.db, m, { ...first, closedAt: at(month === '2026-12' ? '02:00:00' : '11:00:00'), stars: 5 })),
      ...(await insertMessages(h.t.db, m, { ...first, closedAt: at(month === '2026-12' ? '03:00:00' : '13:00:00'), stars: 3 })),
    ];
    await insertMessages(h.t.db, m, { ...first, status: 'explained', closedAt: at(month === '2026-12' ? '02:30:00' : '10:00:00') });
    await insertMessages(h.t.db, m, { count: 1, executorId: executor, status: 'in_work', createdAt: at('01:00:00'), acceptedAt: at('01:00:00') });
  }
  // What the cron job kpi-snapshots does at 00:20: November frozen; October (before the platform had snapshots) not.
  await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, m), '2026-11', h.now());
});
afterAll(() => h.close());

const get = async (path: string) => {
  const res = await h.request('GET', path);
  expect(res.status, path).toBe(200);
  return res.body;
};
const report = (period: string) => get(`/api/v1/reports/monthly?municipalityId=${m}&period=${period}`);
const executorRow = async (period: string) => (await get(`/api/v1/ratings/executors?municipalityId=${m}&period=${period}`)).items.find((r: { executorId: number }) => r.executorId === executor);
const municipalityRow = async (period: string) => (await get(`/api/v1/ratings/municipalities?municipalityId=${m}&period=${period}`)).items[0];
const reopen = async (id: number) => expect((await h.request('POST', `/api/v1/messages/${id}/reopen`, { body: { reason: 'Проблема не решена' } })).status).toBe(200);

/** A report's or a row's figures, without what says where they come from. */
const figures = <T extends Record<string, unknown>>(r: T) => {
  const { fromSnapshot: _f, snapshotAt: _s, snapshotRecomputed: _r, liveDiffers: _d, live: _l, ...rest } = r;
  return rest;
};

type Table = { part: string; rows: { code: string | null; cells: (string | number | null)[] }[] };
const figureOf = (tables: Table[], part: string, code: string) => tables.find((t) => t.part === part)!.rows.find((r) => r.code === code)!.cells[1];

/** The figures frozen before any change, to compare later reads with. */
const frozen: { report?: Record<string, unknown>; executor?: Record<string, unknown>; municipality?: Record<string, unknown> } = {};

describe('an ended month with a snapshot', () => {
  it('before any change: the frozen figures, when they were frozen, the data not differing', async () => {
    const november = await report('2026-11');
    expect(november).toMatchObject({ period: '2026-11', asOf: '2026-11-30T17:00:00.000Z', fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: false, live: null });
    expect(november.timeliness).toMatchObject({ messages: 4, accepted: 4, medianWorkingHoursToClosure: 2 });
    expect(november.quality).toMatchObject({ rated: 2, averageStars: 4 });
    frozen.report = figures(november);
    const e = await executorRow('2026-11');
    expect(e).toMatchObject({ closed: 3, rated: 2, averageStars: 4, received: 4, closedOfReceived: 3, completeness: 0.75, fromSnapshot: true, snapshotAt, liveDiffers: false, live: null });
    frozen.executor = figures(e);
    const row = await municipalityRow('2026-11');
    expect(row).toMatchObject({ municipalityId: m, closed: 3, completeness: 0.75, fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: false, live: null });
    frozen.municipality = figures(row);
  });

  it('a message reopened after the month ended leaves the report and both rankings as frozen and says the data now differ', async () => {
    h.advance(60 * 60_000);
    await reopen(solved['2026-11']![0]!);
    const november = await report('2026-11');
    expect(figures(november)).toEqual(frozen.report);
    expect(november).toMatchObject({ fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: true });
    // `live`: the parts that now differ, as the data give them (a closure fewer: the median to closure);
    // the quality and the dynamics (the messages filed, their stars) have not changed.
    expect(november.live.asOf).toBe('2026-11-30T17:00:00.000Z');
    expect(Object.keys(november.live).sort()).toEqual(['asOf', 'timeliness']);
    expect(november.live.timeliness).toMatchObject({ messages: 4, medianWorkingHoursToClosure: 2.5 });

    const e = await executorRow('2026-11');
    expect(figures(e)).toEqual(frozen.executor);
    expect(e).toMatchObject({ fromSnapshot: true, snapshotAt, liveDiffers: true, live: { closed: 2, rated: 1, averageStars: 3, closedOfReceived: 2, completeness: 0.5 } });
    const row = await municipalityRow('2026-11');
    expect(figures(row)).toEqual(frozen.municipality);
    expect(row).toMatchObject({ liveDiffers: true, live: { closed: 2, completeness: 0.5 } });
  });

  it("the files and the tables of an ended month are the JSON's frozen figures, saying when they were frozen and that the data differ", async () => {
    const json = await report('2026-11');
    const query = `municipalityId=${m}&period=2026-11`;
    const tables = (await get(`/api/v1/reports/monthly/tables?${query}`)).tables as Table[];
    for (const [part, code, value] of [
      ['Timeliness', 'messages', json.timeliness.messages],
      ['Timeliness', 'median_working_hours_to_closure', json.timeliness.medianWorkingHoursToClosure],
      ['Quality', 'rated', json.quality.rated],
      ['Quality', 'average_stars', json.quality.averageStars],
      ['OpenSource', 'messages', json.openSource.messages],
    ] as const) {
      expect(figureOf(tables, part, code), code).toBe(value);
    }
    expect(figureOf(tables, 'Timeliness', 'median_working_hours_to_closure')).toBe(2);
    expect(figureOf(tables, 'Report', 'snapshot_at')).toBe('2026-12-01T10:00:00.000+07:00');
    expect(figureOf(tables, 'Report', 'live_differs')).toBe(reportLabels('ru').values.yes);

    const csv = csvCodes(parse((await h.request('GET', `/api/v1/reports/monthly?${query}&format=csv`)).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(csv).toContainEqual(['Timeliness', 'median_working_hours_to_closure', '2']);
    expect(csv).toContainEqual(['Quality', 'rated', '2']);
    expect(csv).toContainEqual(['Report', 'snapshot_at', '2026-12-01T10:00:00.000+07:00']);
    expect(csv).toContainEqual(['Report', 'live_differs', 'yes']);

    const res = await h.request('GET', `/api/v1/reports/monthly?${query}&format=xlsx`);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    const bytes = await h.app.http.request(`/api/v1/reports/monthly?${query}&format=xlsx`, { headers: { authorization: `Bearer ${h.operator}` } });
    await workbook.xlsx.load(await bytes.arrayBuffer());
    workbookCodes(workbook);
    const sheet = (name: string) => {
      const values = new Map<string, unknown>();
      workbook.getWorksheet(name)!.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
      return values;
    };
    expect(sheet('Timeliness').get('median_working_hours_to_closure')).toBe(json.timeliness.medianWorkingHoursToClosure);
    expect(sheet('Quality').get('average_stars')).toBe(json.quality.averageStars);
    expect(sheet('Report').get('snapshot_at')).toBe('2026-12-01T10:00:00.000+07:00');
    expect(sheet('Report').get('live_differs')).toBe('yes');
  });

  it('the rankings keep raw measures: other weights rank the frozen measures, not the live ones', async () => {
    const qualityOnly = { quantity: 0, quality: 1, speed: 0, completeness: 0 };
    const [e] = await rateExecutors(h.t.db, { municipalityId: m, period: '2026-11' }, qualityOnly, h.now());
    // Frozen mean 4 stars: (4 − 1) / 4 = 75 (the live mean, 3, would give 50).
    expect(e).toMatchObject({ executorId: executor, averageStars: 4, score: 75, fromSnapshot: true, liveDiffers: true });
    const completenessOnly = { quantity: 0, quality: 0, speed: 0, completeness: 1 };
    const rows = await rateMunicipalities(h.t.db, { municipalityId: m, period: '2026-11' }, completenessOnly, h.now());
    expect(rows).toEqual([expect.objectContaining({ municipalityId: m, completeness: 0.75, score: 75, fromSnapshot: true })]);
  });

  it('POST /kpi/recompute makes the data now the snapshot of the report and the rankings too, audited', async () => {
    h.advance(60 * 60_000);
    const res = await h.request('POST', '/api/v1/kpi/recompute', { body: { municipalityId: m, period: '2026-11' } });
    expect(res.status).toBe(200);
    const recomputedAt = h.now().toISOString();
    const november = await report('2026-11');
    expect(november).toMatchObject({ fromSnapshot: true, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false, live: null });
    expect(november.timeliness).toMatchObject({ messages: 4, medianWorkingHoursToClosure: 2.5 });
    expect(await executorRow('2026-11')).toMatchObject({ closed: 2, averageStars: 3, completeness: 0.5, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false, live: null });
    expect(await municipalityRow('2026-11')).toMatchObject({ closed: 2, completeness: 0.5, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false });
    const tables = (await get(`/api/v1/reports/monthly/tables?municipalityId=${m}&period=2026-11`)).tables as Table[];
    expect(figureOf(tables, 'Report', 'live_differs')).toBe(reportLabels('ru').values.no);
    const audit = await h.t.db.selectFrom('audit_log').select('data').where('action', '=', 'kpi.recompute').where('municipality_id', '=', m).executeTakeFirstOrThrow();
    expect(audit.data).toMatchObject({ period: '2026-11', rating: { before: { closed: 3, completeness: 0.75 }, after: { closed: 2, completeness: 0.5 } } });
  });

  it('the daily job keeps a snapshot taken, and freezes the report of a month whose KPIs were frozen before the report had snapshots', async () => {
    const before = await h.t.db.selectFrom('kpi_report_snapshot').select(['computed_at', 'recomputed']).where('municipality_id', '=', m).where('period', '=', '2026-11').executeTakeFirstOrThrow();
    const other = await freshMunicipality(h.t.db);
    await insertMessages(h.t.db, other, { count: 2, status: 'solved', createdAt: local('2026-11-05T10:00:00'), acceptedAt: local('2026-11-05T10:00:00'), closedAt: local('2026-11-05T12:00:00') });
    await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, other), '2026-11', h.now());
    // As a month frozen before migration 2026-12-13T0100: its 16 KPIs, no report.
    await h.t.db.deleteFrom('kpi_report_snapshot').where('municipality_id', '=', other).execute();
    h.advance(60 * 60_000);
    await runKpiSnapshots(h.t.db, h.now());
    expect(await h.t.db.selectFrom('kpi_report_snapshot').select(['computed_at', 'recomputed']).where('municipality_id', '=', m).where('period', '=', '2026-11').executeTakeFirstOrThrow()).toEqual(
      before,
    );
    const taken = await h.t.db.selectFrom('kpi_report_snapshot').select(['computed_at', 'report']).where('municipality_id', '=', other).where('period', '=', '2026-11').executeTakeFirstOrThrow();
    expect(taken.computed_at).toEqual(h.now());
    expect(taken.report).toMatchObject({ municipalityId: other, period: '2026-11', timeliness: { messages: 2 } });
  });

  it('an ended year: the rankings are frozen with its KPIs too (the report is of months only)', async () => {
    await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, m), '2025', h.now());
    const stored = await h.t.db.selectFrom('kpi_report_snapshot').select(['report', 'municipality_rating']).where('municipality_id', '=', m).where('period', '=', '2025').executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ report: null, municipality_rating: { closed: 0 } });
    // A closure of 2025 entered after the year was frozen.
    await insertMessages(h.t.db, m, {
      count: 1,
      executorId: executor,
      status: 'solved',
      createdAt: local('2025-06-02T10:00:00'),
      acceptedAt: local('2025-06-02T10:00:00'),
      closedAt: local('2025-06-02T12:00:00'),
    });
    expect(await executorRow('2025')).toMatchObject({ closed: 0, fromSnapshot: true, liveDiffers: true, live: { closed: 1 } });
    expect(await municipalityRow('2025')).toMatchObject({ closed: 0, fromSnapshot: true, liveDiffers: true, live: { closed: 1 } });
  });

  it('bad input keeps its refusals', async () => {
    for (const period of ['2026-13', 'november', '2026-11-01', '2026']) {
      expect((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=${period}`)).status, period).toBe(400);
      expect((await h.request('GET', `/api/v1/reports/monthly/tables?municipalityId=${m}&period=${period}`)).status, period).toBe(400);
    }
    for (const period of ['2026-13', 'november', '11-2026']) {
      expect((await h.request('GET', `/api/v1/ratings/executors?municipalityId=${m}&period=${period}`)).status, period).toBe(400);
      expect((await h.request('GET', `/api/v1/ratings/municipalities?period=${period}`)).status, period).toBe(400);
    }
    for (const path of [
      `/api/v1/reports/monthly?municipalityId=${m}&period=2027-01`,
      `/api/v1/reports/monthly?municipalityId=${m}&period=2027-01&format=csv`,
      `/api/v1/reports/monthly/tables?municipalityId=${m}&period=2027-01`,
      `/api/v1/ratings/executors?municipalityId=${m}&period=2027-01`,
      '/api/v1/ratings/municipalities?period=2027-01',
    ]) {
      const res = await h.request('GET', path);
      expect(res.status, path).toBe(422);
      expect(res.body.code, path).toBe('PERIOD_NOT_STARTED');
    }
  });
});

describe('measured live', () => {
  it('the running month: no snapshot fields, and a reopened message changes it at once', async () => {
    const december = await report('2026-12');
    expect(december).toMatchObject({ fromSnapshot: false, snapshotAt: null, snapshotRecomputed: false, liveDiffers: null, live: null });
    expect(december.timeliness.medianWorkingHoursToClosure).not.toBeNull();
    expect(await executorRow('2026-12')).toMatchObject({ closed: 3, fromSnapshot: false, snapshotAt: null, liveDiffers: null, live: null });
    await reopen(solved['2026-12']![0]!);
    expect(await executorRow('2026-12')).toMatchObject({ closed: 2, fromSnapshot: false, liveDiffers: null });
    expect(await municipalityRow('2026-12')).toMatchObject({ closed: 2, fromSnapshot: false, snapshotAt: null });
    const tables = (await get(`/api/v1/reports/monthly/tables?municipalityId=${m}&period=2026-12`)).tables as Table[];
    expect(figureOf(tables, 'Report', 'snapshot_at')).toBeNull();
    expect(figureOf(tables, 'Report', 'live_differs')).toBeNull();
  });

  it('an ended month without a snapshot changes too', async () => {
    expect(await executorRow('2026-10')).toMatchObject({ closed: 3, fromSnapshot: false, snapshotAt: null, liveDiffers: null });
    const before = await report('2026-10');
    expect(before).toMatchObject({ fromSnapshot: false, snapshotAt: null, liveDiffers: null, live: null });
    await reopen(solved['2026-10']![0]!);
    expect(await executorRow('2026-10')).toMatchObject({ closed: 2, fromSnapshot: false });
    expect(before.timeliness.medianWorkingHoursToClosure).toBe(2);
    expect((await report('2026-10')).timeliness.medianWorkingHoursToClosure).toBe(2.5);
  });
});
