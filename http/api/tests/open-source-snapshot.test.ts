import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSourceRegionReport } from '../../../core/kpi/report.ts';
import { reportLabels } from '../../../core/kpi/report-labels.ts';
import { runKpiSnapshots, snapshotPeriod } from '../../../core/kpi/snapshots.ts';
import { freshMunicipality, insertOpenSourceMessage } from '../../../core/kpi/tests/kpi-data.ts';
import { getMunicipality } from '../../../core/municipalities/municipality.repository.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { csvCodes, workbookCodes } from './report-codes.ts';

/**
 * An ended month's open-source summary (GET /reports/open-sources) is, like its monthly report, what
 * was frozen when the month closed (kpi_open_source_snapshot, taken by the kpi-snapshots job with the
 * KPIs): a message reopened after the month ended changes `live`, not the month's rows and total,
 * until POST /kpi/recompute. The running month, and an ended one without a snapshot, are live.
 * The harness's clock: 1 December 2026, 10:00 in Kemerovo (UTC+7).
 */
let h: ApiHarness;
let a: number;
let b: number;
/** A's November message solved (4 stars), reopened by a test; A's December one, likewise. */
let solvedA: number;
let solvedDecember: number;
const snapshotAt = '2026-12-01T03:00:00.000Z';
const monthEnd = '2026-11-30T17:00:00.000Z';

beforeAll(async () => {
  h = await createApiHarness();
  a = await freshMunicipality(h.t.db);
  b = await freshMunicipality(h.t.db);
  // A, November: a wall post drafted in 30 min, approved, posted under the post, solved with 4 stars; an OK post never drafted.
  solvedA = await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-11-09T10:00:00', {
    status: 'solved',
    stars: 4,
    draft: { at: '2026-11-09T10:30:00', approvedAt: '2026-11-09T11:00:00', sentAt: '2026-11-09T11:10:00' },
  });
  await insertOpenSourceMessage(h.t.db, a, 'ok', 'by_hand', '2026-11-10T10:00:00');
  // B, November: an OK post drafted in 20 min, approved, not published. October: one for A (no snapshot of October).
  await insertOpenSourceMessage(h.t.db, b, 'ok', 'by_hand', '2026-11-12T10:00:00', { draft: { at: '2026-11-12T10:20:00', approvedAt: '2026-11-12T10:50:00' } });
  await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-10-12T10:00:00', {
    status: 'solved',
    draft: { at: '2026-10-12T10:30:00', approvedAt: '2026-10-12T11:00:00' },
  });
  // A, December (the running month): a solved one.
  solvedDecember = await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-12-01T09:00:00', {
    status: 'solved',
    draft: { at: '2026-12-01T09:10:00', approvedAt: '2026-12-01T09:20:00' },
  });
  // What the cron job kpi-snapshots does at 00:20: November frozen for every municipality.
  await runKpiSnapshots(h.t.db, h.now());
});
afterAll(() => h.close());

/** A summary or a row as the API answers it (the harness's `body`). */
type Summary = Awaited<ReturnType<ApiHarness['request']>>['body'];
const get = async (path: string) => {
  const res = await h.request('GET', path);
  expect(res.status, path).toBe(200);
  return res.body;
};
const summary = (period: string, municipalityId?: number): Promise<Summary> =>
  get(`/api/v1/reports/open-sources?period=${period}${municipalityId === undefined ? '' : `&municipalityId=${municipalityId}`}`);
const rowOf = (s: Summary, id: number) => s.items.find((r: { municipalityId: number }) => r.municipalityId === id);
const reopen = async (id: number) => expect((await h.request('POST', `/api/v1/messages/${id}/reopen`, { body: { reason: 'Проблема не решена' } })).status).toBe(200);

/** A row's or a summary's figures, without what says where they come from. */
const figures = (r: Summary) => {
  const { fromSnapshot: _f, snapshotAt: _s, snapshotRecomputed: _r, liveDiffers: _d, live: _l, ...rest } = r;
  return rest;
};

const frozen: { region?: Summary } = {};

describe('an ended month with a snapshot', () => {
  it('before any change: the frozen figures, when they were frozen, the data not differing', async () => {
    const november = await summary('2026-11');
    expect(november).toMatchObject({ period: '2026-11', asOf: monthEnd, municipalityId: null, fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: false, live: null });
    for (const row of november.items) expect(row, String(row.municipalityId)).toMatchObject({ fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: false, live: null });
    expect(rowOf(november, a)).toMatchObject({ messages: 2, quality: { closed: 1, solved: 1, rated: 1, averageStars: 4 }, timeliness: { firstHourRule: { met: 1, missed: 1 } } });
    expect(rowOf(november, b)).toMatchObject({ messages: 1, quality: { closed: 0 }, timeliness: { medianWorkingMinutesToFirstDraft: 20, awaitingPublication: 1 } });
    // The total pooled from the frozen messages: minutes 30 and 20 give 25, not a mean of the rows.
    expect(november.total).toMatchObject({ messages: 3, quality: { closed: 1, solved: 1 }, timeliness: { medianWorkingMinutesToFirstDraft: 25 } });
    frozen.region = november;
    const stored = await h.t.db
      .selectFrom('kpi_open_source_snapshot')
      .select(['computed_at', 'recomputed', 'measures'])
      .where('municipality_id', '=', a)
      .where('period', '=', '2026-11')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ computed_at: new Date(snapshotAt), recomputed: false, measures: { asOf: monthEnd } });
    expect(stored.measures.facts).toHaveLength(2);
  });

  it('a message reopened after the month ended leaves the rows and the total as frozen and says the data now differ', async () => {
    h.advance(60 * 60_000);
    await reopen(solvedA);
    const november = await summary('2026-11');
    const { items: _now, ...total } = figures(november);
    const { items: _then, ...frozenTotal } = figures(frozen.region!);
    expect(total).toEqual(frozenTotal);
    expect(november.items.map(figures)).toEqual(frozen.region!.items.map(figures));
    expect(november).toMatchObject({ fromSnapshot: true, snapshotAt, snapshotRecomputed: false, liveDiffers: true });
    expect(november.live.asOf).toBe(monthEnd);
    expect(november.live.total).toMatchObject({ messages: 3, quality: { closed: 0, solved: 0 } });
    // A's row differs (its live row: the closure gone); B's does not.
    expect(rowOf(november, a)).toMatchObject({ quality: { closed: 1 }, fromSnapshot: true, liveDiffers: true, live: { messages: 2, quality: { closed: 0, solved: 0 } } });
    expect(rowOf(november, b)).toMatchObject({ fromSnapshot: true, liveDiffers: false, live: null });
    // Narrowed to B: nothing of B changed, the total is B's frozen row.
    const onlyB = await summary('2026-11', b);
    expect(onlyB).toMatchObject({ municipalityId: b, fromSnapshot: true, snapshotAt, liveDiffers: false, live: null });
    const { municipalityId: _i, municipalityRu: _r, municipalityEn: _e, ...rowB } = figures(onlyB.items[0]);
    expect(onlyB.total).toEqual(rowB);
  });

  it("the files and the tables of an ended month are the JSON's frozen figures, saying when they were frozen and that the data differ", async () => {
    const json = await summary('2026-11');
    const tables = (await get('/api/v1/reports/open-sources/tables?period=2026-11')).tables as { part: string; columns: { code: string }[]; rows: { code: string | null; cells: unknown[] }[] }[];
    const report = tables.find((t) => t.part === 'Report')!;
    expect(report.rows.find((r) => r.code === 'snapshot_at')!.cells[1]).toBe('2026-12-01T10:00:00.000+07:00');
    expect(report.rows.find((r) => r.code === 'live_differs')!.cells[1]).toBe(reportLabels('ru').values.yes);
    const openSource = tables.find((t) => t.part === 'OpenSource')!;
    const closed = openSource.columns.findIndex((c) => c.code === 'closed');
    expect(openSource.rows.find((r) => r.cells[0] === a)!.cells[closed]).toBe(rowOf(json, a).quality.closed);
    expect(openSource.rows.find((r) => r.cells[0] === a)!.cells[closed]).toBe(1);
    expect(openSource.rows.at(-1)!.cells[closed]).toBe(1);

    const csv = csvCodes(parse((await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv')).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(csv).toContainEqual(['Report', 'snapshot_at', '2026-12-01T10:00:00.000+07:00']);
    expect(csv).toContainEqual(['Report', 'live_differs', 'yes']);
    const header = csv.find((r) => r[0] === 'part' && r[1] === 'municipality_id' && r[4] === 'messages')!;
    expect(csv.find((r) => r[0] === 'OpenSource' && r[1] === String(a))![header.indexOf('closed')]).toBe('1');

    const res = await h.app.http.request('/api/v1/reports/open-sources?period=2026-11&format=xlsx', { headers: { authorization: `Bearer ${h.operator}` } });
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    workbookCodes(workbook);
    const values = new Map<string, unknown>();
    workbook.getWorksheet('Report')!.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('snapshot_at')).toBe('2026-12-01T10:00:00.000+07:00');
    expect(values.get('live_differs')).toBe('yes');
  });

  it('POST /kpi/recompute makes the data now the snapshot of the summary too', async () => {
    h.advance(60 * 60_000);
    const res = await h.request('POST', '/api/v1/kpi/recompute', { body: { municipalityId: a, period: '2026-11' } });
    expect(res.status).toBe(200);
    const recomputedAt = h.now().toISOString();
    const november = await summary('2026-11');
    expect(rowOf(november, a)).toMatchObject({ quality: { closed: 0, solved: 0 }, fromSnapshot: true, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false, live: null });
    expect(rowOf(november, b)).toMatchObject({ snapshotAt, snapshotRecomputed: false, liveDiffers: false });
    // The summary: the latest of its rows' snapshots, recomputed as one of them is; the total pooled from the new measures.
    expect(november).toMatchObject({ fromSnapshot: true, snapshotAt: recomputedAt, snapshotRecomputed: true, liveDiffers: false, live: null });
    expect(november.total.quality).toMatchObject({ closed: 0, solved: 0 });
    const tables = (await get('/api/v1/reports/open-sources/tables?period=2026-11')).tables as { part: string; rows: { code: string | null; cells: unknown[] }[] }[];
    expect(tables.find((t) => t.part === 'Report')!.rows.find((r) => r.code === 'live_differs')!.cells[1]).toBe(reportLabels('ru').values.no);
  });

  it('the daily job keeps a snapshot taken, and freezes the summary of a month whose KPIs were frozen before the summary had snapshots', async () => {
    const keptB = await h.t.db.selectFrom('kpi_open_source_snapshot').select(['computed_at', 'recomputed']).where('municipality_id', '=', b).where('period', '=', '2026-11').executeTakeFirstOrThrow();
    const c = await freshMunicipality(h.t.db);
    await insertOpenSourceMessage(h.t.db, c, 'ok', 'by_hand', '2026-11-05T10:00:00', { draft: { at: '2026-11-05T10:15:00' } });
    await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, c), '2026-11', h.now());
    // As a month frozen before migration 2026-12-14T0200: its KPIs and report, no open-source measures.
    await h.t.db.deleteFrom('kpi_open_source_snapshot').where('municipality_id', '=', c).execute();
    // Until the job runs, C's row is measured live beside the frozen ones.
    const mixed = await summary('2026-11');
    expect(rowOf(mixed, c)).toMatchObject({ messages: 1, fromSnapshot: false, snapshotAt: null, liveDiffers: null, live: null });
    expect(mixed).toMatchObject({ fromSnapshot: true, liveDiffers: false });
    expect(mixed.total.messages).toBe(4);

    h.advance(60 * 60_000);
    await runKpiSnapshots(h.t.db, h.now());
    expect(
      await h.t.db.selectFrom('kpi_open_source_snapshot').select(['computed_at', 'recomputed']).where('municipality_id', '=', b).where('period', '=', '2026-11').executeTakeFirstOrThrow(),
    ).toEqual(keptB);
    const taken = await h.t.db.selectFrom('kpi_open_source_snapshot').select(['computed_at', 'recomputed']).where('municipality_id', '=', c).where('period', '=', '2026-11').executeTakeFirstOrThrow();
    expect(taken).toEqual({ computed_at: h.now(), recomputed: false });
    expect(rowOf(await summary('2026-11'), c)).toMatchObject({ messages: 1, fromSnapshot: true, snapshotAt: h.now().toISOString(), liveDiffers: false });
  });

  it('an ended year freezes no open-source measures (the summary is of months only)', async () => {
    await snapshotPeriod(h.t.db, await getMunicipality(h.t.db, a), '2025', h.now());
    expect(await h.t.db.selectFrom('kpi_report_snapshot').select('period').where('municipality_id', '=', a).where('period', '=', '2025').executeTakeFirst()).toBeDefined();
    expect(await h.t.db.selectFrom('kpi_open_source_snapshot').select('period').where('municipality_id', '=', a).where('period', '=', '2025').executeTakeFirst()).toBeUndefined();
  });

  it('bad input keeps its refusals', async () => {
    for (const period of ['2026-13', 'november', '2026-11-01', '2026']) {
      expect((await h.request('GET', `/api/v1/reports/open-sources?period=${period}`)).status, period).toBe(400);
      expect((await h.request('GET', `/api/v1/reports/open-sources/tables?period=${period}`)).status, period).toBe(400);
    }
    for (const path of ['/api/v1/reports/open-sources?period=2027-01', '/api/v1/reports/open-sources?period=2027-01&format=csv', '/api/v1/reports/open-sources/tables?period=2027-01']) {
      const res = await h.request('GET', path);
      expect(res.status, path).toBe(422);
      expect(res.body.code, path).toBe('PERIOD_NOT_STARTED');
    }
    const unknown = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&municipalityId=99999999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('MUNICIPALITY_NOT_FOUND');
    await expect(openSourceRegionReport(h.t.db, { municipalityId: null, period: '2026' }, h.now())).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('measured live', () => {
  it('the running month: no snapshot fields, and a reopened message changes it at once', async () => {
    const before = await summary('2026-12');
    expect(before).toMatchObject({ fromSnapshot: false, snapshotAt: null, snapshotRecomputed: false, liveDiffers: null, live: null });
    expect(rowOf(before, a)).toMatchObject({ messages: 1, quality: { closed: 1 }, fromSnapshot: false, snapshotAt: null, liveDiffers: null, live: null });
    await reopen(solvedDecember);
    const after = await summary('2026-12');
    expect(rowOf(after, a)).toMatchObject({ quality: { closed: 0 }, fromSnapshot: false });
    expect(after.total.quality.closed).toBe(0);
    const tables = (await get('/api/v1/reports/open-sources/tables?period=2026-12')).tables as { part: string; rows: { code: string | null; cells: unknown[] }[] }[];
    const report = tables.find((t) => t.part === 'Report')!;
    expect(report.rows.find((r) => r.code === 'snapshot_at')!.cells[1]).toBeNull();
    expect(report.rows.find((r) => r.code === 'live_differs')!.cells[1]).toBeNull();
  });

  it('an ended month without a snapshot is measured live', async () => {
    const october = await summary('2026-10');
    expect(october).toMatchObject({ fromSnapshot: false, snapshotAt: null, liveDiffers: null, live: null });
    expect(rowOf(october, a)).toMatchObject({ messages: 1, quality: { closed: 1 }, fromSnapshot: false });
  });
});
