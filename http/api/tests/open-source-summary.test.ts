import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { csvCodes, workbookCodes } from './report-codes.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { createStaff } from '../../../core/access/staff.service.ts';
import { openSourceRegionReport } from '../../../core/kpi/report.ts';
import { freshMunicipality, insertMessages, insertOpenSourceMessage, local } from '../../../core/kpi/tests/kpi-data.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { countingQueries } from '../../../test/database.ts';
import { XLSX_TYPE } from '../routes/reports/monthly.ts';

/**
 * GET /reports/open-sources: seed 004 §25's monthly summary the ЦУР reports to the Governor, a row
 * per municipality (the monthly report's open-source part) and the region's total pooled from the
 * messages. Two fresh municipalities, A and B, with hand-counted figures for November 2026; the
 * harness's own municipalities have no open-source messages. Working days 09:00–18:00 Kuzbass time.
 */
let h: ApiHarness;
let a: number;
let b: number;

beforeAll(async () => {
  h = await createApiHarness();
  a = await freshMunicipality(h.t.db);
  b = await freshMunicipality(h.t.db);
  // A, November: a1 (wall) drafted in 30 min (met), approved 11:00, posted under the post 11:10 (70 working minutes
  // after acceptance), solved, 4 stars; a2 (OK) never drafted (missed); a3, a wall duplicate of a1 linked in work: counted once, as a1.
  const a1 = await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-11-09T10:00:00', {
    status: 'solved',
    stars: 4,
    draft: { at: '2026-11-09T10:30:00', approvedAt: '2026-11-09T11:00:00', sentAt: '2026-11-09T11:10:00' },
  });
  await insertOpenSourceMessage(h.t.db, a, 'ok', 'by_hand', '2026-11-10T10:00:00');
  const a3 = await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-11-12T11:00:00');
  await h.t.db.updateTable('message').set({ duplicate_of: a1 }).where('id', '=', a3).execute();
  // A, October: one wall message. Not open-source (not in the summary): a resident's message in November.
  await insertOpenSourceMessage(h.t.db, a, 'vk_wall', 'source_comment', '2026-10-12T10:00:00');
  await insertMessages(h.t.db, a, { count: 1, status: 'in_work', createdAt: local('2026-11-13T10:00:00'), acceptedAt: local('2026-11-13T10:00:00') });
  // B, November: b1 (OK) intermediate drafted after 2 h (missed), returned once, approved, published by hand at 14:00
  // (4 working hours); b2 (page) drafted in 20 min (met), approved, not published, 2 stars; b3 (OK) drafted in 50 min (met).
  await insertOpenSourceMessage(h.t.db, b, 'ok', 'by_hand', '2026-11-11T10:00:00', {
    draft: { at: '2026-11-11T12:00:00', kind: 'intermediate', returnedAt: '2026-11-11T12:10:00', approvedAt: '2026-11-11T12:30:00', byHandAt: '2026-11-11T14:00:00' },
  });
  await insertOpenSourceMessage(h.t.db, b, 'vk_page', 'by_hand', '2026-11-12T10:00:00', { stars: 2, draft: { at: '2026-11-12T10:20:00', approvedAt: '2026-11-12T10:50:00' } });
  await insertOpenSourceMessage(h.t.db, b, 'ok', 'by_hand', '2026-11-13T10:00:00', { draft: { at: '2026-11-13T10:50:00' } });
  // B, October: three OK messages; November 2025: one.
  for (const day of ['05', '06', '07']) await insertOpenSourceMessage(h.t.db, b, 'ok', 'by_hand', `2026-10-${day}T10:00:00`);
  await insertOpenSourceMessage(h.t.db, b, 'ok', 'by_hand', '2025-11-10T10:00:00');
});
afterAll(() => h.close());

type Row = { municipalityId: number; messages: number; dynamics: { total: { current: number; previousMonth: number; previousYear: number } } };
const sources = (o: { dynamics: { bySource: { source: string; current: number; previousMonth: number; previousYear: number }[] } }) =>
  Object.fromEntries(o.dynamics.bySource.map((r) => [r.source, [r.current, r.previousMonth, r.previousYear]]));

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const res = await h.app.http.request(url, { headers: { authorization: `Bearer ${h.operator}` } });
  return res.arrayBuffer();
}

describe('GET /reports/open-sources: happy path', () => {
  it('JSON: a row per municipality (the monthly report’s open-source part), hand-counted; a duplicate counted once; dynamics against October', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ period: '2026-11', asOf: '2026-11-30T17:00:00.000Z', municipalityId: null });
    const towns = await h.t.db.selectFrom('municipality').select('id').execute();
    expect(res.body.items).toHaveLength(towns.length);
    // Every other municipality: nothing in any of the three months.
    for (const row of (res.body.items as Row[]).filter((r) => r.municipalityId !== a && r.municipalityId !== b)) {
      expect(row.messages).toBe(0);
      expect(row.dynamics.total).toMatchObject({ current: 0, previousMonth: 0, previousYear: 0 });
    }
    const rowA = res.body.items.find((r: Row) => r.municipalityId === a);
    const rowB = res.body.items.find((r: Row) => r.municipalityId === b);

    // A: a1 and a2 (a3, the duplicate, counted once as a1).
    expect(rowA.messages).toBe(2);
    expect(rowA.timeliness).toEqual({
      firstHourRule: { met: 1, missed: 1, pending: 0, compliance: 0.5 },
      medianWorkingMinutesToFirstDraft: 30,
      answersApproved: 1,
      answersPublished: 1,
      publishedAsSourceComment: 1,
      publishedByHand: 0,
      awaitingPublication: 0,
      messagesWithPublishedAnswer: 1,
      medianWorkingHoursToFirstPublication: 1.17,
    });
    expect(rowA.quality).toEqual({ drafts: 1, draftsReturned: 0, returnedShare: 0, closed: 1, solved: 1, solvedShare: 1, rated: 1, averageStars: 4, share4to5: 1 });
    // 2 in November against 1 in October: +1, +100 %; none a year before.
    expect(rowA.dynamics.total).toEqual({ current: 2, previousMonth: 1, previousYear: 0, monthOverMonth: 1, monthOverMonthShare: 1, yearOverYear: 2, yearOverYearShare: null });
    expect(sources(rowA)).toEqual({ vk_wall: [1, 1, 0], vk_page: [0, 0, 0], ok: [1, 0, 0], web: [0, 0, 0], open311: [0, 0, 0], other: [0, 0, 0] });

    // B: 120, 20 and 50 minutes to the first draft; 4 working hours to the one publication.
    expect(rowB.messages).toBe(3);
    expect(rowB.timeliness).toEqual({
      firstHourRule: { met: 2, missed: 1, pending: 0, compliance: 0.6667 },
      medianWorkingMinutesToFirstDraft: 50,
      answersApproved: 2,
      answersPublished: 1,
      publishedAsSourceComment: 0,
      publishedByHand: 1,
      awaitingPublication: 1,
      messagesWithPublishedAnswer: 1,
      medianWorkingHoursToFirstPublication: 4,
    });
    expect(rowB.quality).toEqual({ drafts: 3, draftsReturned: 1, returnedShare: 0.3333, closed: 0, solved: 0, solvedShare: null, rated: 1, averageStars: 2, share4to5: 0 });
    // 3 against 3 in October (no change) and 1 a year before (+2, +200 %).
    expect(rowB.dynamics.total).toEqual({ current: 3, previousMonth: 3, previousYear: 1, monthOverMonth: 0, monthOverMonthShare: 0, yearOverYear: 2, yearOverYearShare: 2 });

    // The region: pooled from the five messages, not averaged over the rows (compliance 3 / 5 = 0.6, not
    // (0.5 + 0.6667) / 2; drafts returned 1 / 4 = 0.25, not (0 + 0.3333) / 2; minutes 20, 30, 50, 120: 40).
    expect(res.body.total.messages).toBe(5);
    expect(res.body.total.timeliness).toEqual({
      firstHourRule: { met: 3, missed: 2, pending: 0, compliance: 0.6 },
      medianWorkingMinutesToFirstDraft: 40,
      answersApproved: 3,
      answersPublished: 2,
      publishedAsSourceComment: 1,
      publishedByHand: 1,
      awaitingPublication: 1,
      messagesWithPublishedAnswer: 2,
      // (70 / 60 + 4) / 2 = 2.583…
      medianWorkingHoursToFirstPublication: 2.58,
    });
    expect(res.body.total.quality).toEqual({ drafts: 4, draftsReturned: 1, returnedShare: 0.25, closed: 1, solved: 1, solvedShare: 1, rated: 2, averageStars: 3, share4to5: 0.5 });
    // 5 against 1 + 3 = 4 in October (+1, +25 %) and 1 in November 2025.
    expect(res.body.total.dynamics.total).toEqual({ current: 5, previousMonth: 4, previousYear: 1, monthOverMonth: 1, monthOverMonthShare: 0.25, yearOverYear: 4, yearOverYearShare: 4 });
    expect(sources(res.body.total)).toEqual({ vk_wall: [1, 1, 0], vk_page: [1, 0, 0], ok: [3, 3, 1], web: [0, 0, 0], open311: [0, 0, 0], other: [0, 0, 0] });
  });

  it('each row is the same as the open-source part of that municipality’s monthly report', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11');
    for (const id of [a, b]) {
      const monthly = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${id}&period=2026-11`);
      const { municipalityId, municipalityRu, municipalityEn, fromSnapshot, snapshotAt, snapshotRecomputed, liveDiffers, live, ...row } = res.body.items.find((r: Row) => r.municipalityId === id);
      expect(row).toEqual(monthly.body.openSource);
      // No snapshot of November here: both measured live (open-source-snapshot.test.ts covers a frozen month).
      expect({ fromSnapshot, snapshotAt, snapshotRecomputed, liveDiffers, live }).toEqual({ fromSnapshot: false, snapshotAt: null, snapshotRecomputed: false, liveDiffers: null, live: null });
      expect(monthly.body.fromSnapshot).toBe(false);
      expect({ municipalityId, municipalityRu, municipalityEn }).toEqual({ municipalityId: id, municipalityRu: monthly.body.municipalityRu, municipalityEn: monthly.body.municipalityEn });
    }
  });

  it('an operator may narrow it to one municipality: its row, and a total equal to it', async () => {
    const res = await h.request('GET', `/api/v1/reports/open-sources?period=2026-11&municipalityId=${b}`);
    expect(res.status).toBe(200);
    expect(res.body.municipalityId).toBe(b);
    expect(res.body.items.map((r: Row) => r.municipalityId)).toEqual([b]);
    const { municipalityId: _, municipalityRu: _ru, municipalityEn: _en, fromSnapshot: _f, snapshotAt: _s, snapshotRecomputed: _r, liveDiffers: _d, live: _l, ...row } = res.body.items[0];
    expect(res.body.total).toEqual(row);
  });

  it('CSV: a Report section (period, as_of), a row per municipality and the total, then the messages per source', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="open-sources-region-2026-11.csv"');
    const rows = csvCodes(parse(res.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(rows[0]).toEqual(['part', 'field', 'value']);
    expect(rows.filter((r) => r[0] === 'Report').map((r) => r.slice(1))).toEqual([
      ['scope', 'region'],
      ['municipality_id', ''],
      ['period', '2026-11'],
      ['as_of', '2026-12-01T00:00:00.000+07:00'],
      ['municipalities', String((await h.t.db.selectFrom('municipality').select('id').execute()).length)],
      // No snapshot of November here: measured live (report-snapshot.test.ts covers a frozen month).
      ['snapshot_at', ''],
      ['live_differs', ''],
    ]);
    const header = rows.find((r) => r[0] === 'part' && r[1] === 'municipality_id' && r[4] === 'messages')!;
    const column = (row: string[], name: string) => row[header.indexOf(name)];
    const rowA = rows.find((r) => r[0] === 'OpenSource' && r[1] === String(a))!;
    expect([column(rowA, 'messages'), column(rowA, 'first_hour_rule_compliance'), column(rowA, 'messages_previous_month'), column(rowA, 'messages_month_over_month')]).toEqual(['2', '0.5', '1', '1']);
    const total = rows.filter((r) => r[0] === 'OpenSource').at(-1)!;
    expect(total.slice(1, 4)).toEqual(['', 'Итого', 'Total']);
    expect([column(total, 'messages'), column(total, 'first_hour_rule_compliance'), column(total, 'returned_share'), column(total, 'messages_month_over_month_share')]).toEqual([
      '5',
      '0.6',
      '0.25',
      '0.25',
    ]);
    expect(rows).toContainEqual(['OpenSourceDynamics', String(b), expect.any(String), expect.any(String), 'ok', '2', '3', '1', '-1', '-0.3333', '1', '1']);
    expect(rows).toContainEqual(['OpenSourceDynamics', '', 'Итого', 'Total', 'all', '5', '4', '1', '1', '0.25', '4', '4']);
  });

  it('CSV and XLSX labels in Russian by default, in English with lang=en', async () => {
    const ru = parse((await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv')).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(ru).toContainEqual(['Отчёт', 'Охват', 'Регион']);
    const header = ru.find((r) => r[0] === 'Раздел' && r[1] === 'Код муниципального образования' && r[4] === 'Сообщений')!;
    expect(header).toContain('Соблюдение правила одного рабочего часа, доля');
    expect(header).toContain('Сообщений: изменение к предыдущему месяцу');
    expect(ru).toContainEqual(['Динамика открытых источников', '', 'Итого', 'Total', 'Все источники', '5', '4', '1', '1', '0.25', '4', '4']);
    const en = parse((await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv&lang=en')).text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(en).toContainEqual(['Report', 'Scope', 'Region']);
    expect(en).toContainEqual(['Open-source dynamics', '', 'Итого', 'Total', 'All sources', '5', '4', '1', '1', '0.25', '4', '4']);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await fetchBytes('/api/v1/reports/open-sources?period=2026-11&format=xlsx'));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Отчёт', 'Открытые источники', 'Динамика открытых источников']);
  });

  it('XLSX: a sheet per part, read back with exceljs', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await fetchBytes('/api/v1/reports/open-sources?period=2026-11&format=xlsx'));
    workbookCodes(workbook);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Report', 'OpenSource', 'OpenSourceDynamics']);
    const report = new Map<string, unknown>();
    workbook.getWorksheet('Report')!.eachRow((row) => report.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(report.get('period')).toBe('2026-11');
    expect(report.get('as_of')).toBe('2026-12-01T00:00:00.000+07:00');
    const sheet = workbook.getWorksheet('OpenSource')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const last = (sheet.getRow(sheet.rowCount).values as unknown[]).slice(1);
    expect(last[header.indexOf('municipality_en')]).toBe('Total');
    expect(last[header.indexOf('first_hour_rule_compliance')]).toBe(0.6);
    expect(last[header.indexOf('median_working_hours_to_first_publication')]).toBe(2.58);
  });
});

describe('GET /reports/open-sources: errors', () => {
  it.each([
    ['a year', 'period=2026'],
    ['month 13', 'period=2026-13'],
    ['a day', 'period=2026-11-01'],
    ['no period', ''],
    ['an unknown format', 'period=2026-11&format=pdf'],
    ['an unknown parameter', 'period=2026-11&region=all'],
  ])('%s: 400 VALIDATION', async (_, query) => {
    const res = await h.request('GET', `/api/v1/reports/open-sources?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });

  it('a municipality that does not exist: 404', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&municipalityId=99999999');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('MUNICIPALITY_NOT_FOUND');
  });
});

describe('GET /reports/open-sources: security', () => {
  it('no key: 401', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11', { token: null });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
  });

  it('an integration key (no kpi.read): 403', async () => {
    const staff = await createStaff(h.t.db, { fullName: 'Городское приложение', role: 'integration', municipalityId: h.municipality.Kemerovo });
    const token = (await issueKey(h.t.db, { staffId: staff.id, label: 'open311', createdBy: null }, h.now())).token;
    const res = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11', { token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it("a municipality's officials get their own row only (the total is theirs); another municipality is not found", async () => {
    for (const role of ['curator', 'moderator', 'executor', 'responsible'] as const) {
      const token = h.keys.Kemerovo[role];
      const own = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11', { token });
      expect(own.status, role).toBe(200);
      expect(own.body.municipalityId).toBe(h.municipality.Kemerovo);
      expect(own.body.items.map((r: Row) => r.municipalityId)).toEqual([h.municipality.Kemerovo]);
      expect(own.body.total.messages).toBe(0);
      const named = await h.request('GET', `/api/v1/reports/open-sources?period=2026-11&municipalityId=${h.municipality.Kemerovo}`, { token });
      expect(named.body).toEqual(own.body);
      const other = await h.request('GET', `/api/v1/reports/open-sources?period=2026-11&municipalityId=${a}`, { token });
      expect(other.status, role).toBe(404);
      expect(other.body.code).toBe('MUNICIPALITY_NOT_FOUND');
    }
    const csv = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv', { token: h.keys.Kemerovo.curator });
    const rows = csvCodes(parse(csv.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][]);
    expect(rows.filter((r) => r[0] === 'OpenSource').map((r) => r[1])).toEqual([String(h.municipality.Kemerovo), '']);
    expect(rows).toContainEqual(['Report', 'scope', 'municipality']);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="open-sources-${h.municipality.Kemerovo}-2026-11.csv"`);
  });
});

describe('GET /reports/open-sources: the OpenAPI document', () => {
  it('names the operation and its schema: a row per municipality with the monthly report’s open-source fields, and the total', async () => {
    const doc = (await h.request('GET', '/api/v1/openapi.json', { token: null })).body;
    const op = doc.paths['/reports/open-sources'].get;
    expect(op.operationId).toBe('getOpenSourceSummary');
    expect(op['x-roles']).toEqual(['operator', 'curator', 'moderator', 'executor', 'responsible']);
    expect(Object.keys(op.responses[200].content).sort()).toEqual(['application/json', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['format', 'lang', 'municipalityId', 'period']);
    const summary = doc.components.schemas.OpenSourceSummary;
    expect(Object.keys(summary.properties).sort()).toEqual(['asOf', 'fromSnapshot', 'items', 'live', 'liveDiffers', 'municipalityId', 'period', 'snapshotAt', 'snapshotRecomputed', 'total']);
    // The row is the monthly report's open-source part (the same schema) and the municipality's names.
    const row = doc.components.schemas.OpenSourceSummaryRow;
    expect(row.allOf[0]).toEqual({ $ref: '#/components/schemas/MonthlyReportOpenSource' });
    expect(Object.keys(row.allOf[1].properties)).toEqual(['municipalityId', 'municipalityRu', 'municipalityEn', 'fromSnapshot', 'snapshotAt', 'snapshotRecomputed', 'liveDiffers', 'live']);
    expect(summary.properties.items.items).toEqual({ $ref: '#/components/schemas/OpenSourceSummaryRow' });
  });
});

describe('GET /reports/open-sources: the queries', () => {
  it('the region costs as many queries as one municipality, however many municipalities it has', async () => {
    const counted = countingQueries(h.t.db);
    const count = async (municipalityId: number | null) => {
      counted.reset();
      await openSourceRegionReport(counted.db, { municipalityId, period: '2026-11' }, h.now());
      return counted.queries();
    };
    const one = await count(b);
    const region = await count(null);
    // Five more municipalities, each with an open-source message drafted, approved and posted.
    for (let i = 0; i < 5; i++) {
      await insertOpenSourceMessage(h.t.db, await freshMunicipality(h.t.db), 'vk_wall', 'source_comment', '2026-11-16T10:00:00', {
        draft: { at: '2026-11-16T10:10:00', approvedAt: '2026-11-16T10:20:00', sentAt: '2026-11-16T10:30:00', returnedAt: '2026-11-16T10:15:00' },
      });
    }
    expect(await count(null)).toBe(region);
    expect(region).toBe(one);
    // The municipalities, the messages, their drafts, the outbox rows that posted them, the returns, the dynamics,
    // and (November has ended) the month's snapshots.
    expect(region).toBe(7);
  });
});
