import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportLabels } from '../../../core/kpi/report-labels.ts';
import { freshMunicipality, insertMessages, insertOpenSourceMessage, local } from '../../../core/kpi/tests/kpi-data.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * GET /reports/monthly/tables and /reports/open-sources/tables: the reports' files as JSON tables for
 * the console's KPI page, written by the code that writes the CSV and the XLSX. They must say what the
 * CSV says, part for part, label for label, cell for cell, and refuse what the file routes refuse.
 */
let h: ApiHarness;
let m: number;

beforeAll(async () => {
  h = await createApiHarness();
  m = await freshMunicipality(h.t.db);
  // November: two resident messages (one closed, rated 4), two open-source ones (a wall post drafted in time,
  // an OK post never drafted); October: three OK posts, so the OK row falls month over month.
  await insertMessages(h.t.db, m, { count: 1, status: 'in_work', createdAt: local('2026-11-02T10:00:00'), acceptedAt: local('2026-11-02T10:30:00') });
  await insertMessages(h.t.db, m, {
    count: 1,
    status: 'solved',
    createdAt: local('2026-11-03T10:00:00'),
    acceptedAt: local('2026-11-03T10:30:00'),
    closedAt: local('2026-11-03T15:00:00'),
    stars: 4,
  });
  await insertOpenSourceMessage(h.t.db, m, 'vk_wall', 'source_comment', '2026-11-09T10:00:00', { draft: { at: '2026-11-09T10:30:00' } });
  await insertOpenSourceMessage(h.t.db, m, 'ok', 'by_hand', '2026-11-10T10:00:00');
  for (const day of ['05', '06', '07']) await insertOpenSourceMessage(h.t.db, m, 'ok', 'by_hand', `2026-10-${day}T10:00:00`);
});
afterAll(() => h.close());

type Table = { part: string; title: string; columns: { code: string; label: string }[]; rows: { code: string | null; total: boolean; cells: (string | number | null)[] }[] };

/** The tables as the CSV would write them: a header line per part, then its rows behind the part's name. */
function asCsvLines(tables: Table[], lang: 'ru' | 'en'): string[][] {
  const part = reportLabels(lang).labels.part!;
  return tables.flatMap((t) => [[part, ...t.columns.map((c) => c.label)], ...t.rows.map((r) => [t.title, ...r.cells.map((c) => (c === null ? '' : String(c)))])]);
}

const csvLines = (text: string): string[][] => parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];

/** A keyed part's value by its code. */
const figureOf = (tables: Table[], part: string, code: string) => tables.find((t) => t.part === part)!.rows.find((r) => r.code === code)!.cells[1];

describe('GET /reports/monthly/tables', () => {
  it.each(['ru', 'en'] as const)('lang=%s: the CSV part for part, label for label, cell for cell, the codes beside the labels', async (lang) => {
    const query = `municipalityId=${m}&period=2026-11&lang=${lang}`;
    const res = await h.request('GET', `/api/v1/reports/monthly/tables?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const tables = res.body.tables as Table[];
    const csv = await h.request('GET', `/api/v1/reports/monthly?${query}&format=csv`);
    expect(asCsvLines(tables, lang)).toEqual(csvLines(csv.text));

    const labels = reportLabels(lang);
    expect(tables.map((t) => t.part)).toEqual(['Report', 'Timeliness', 'Quality', 'Dynamics', 'OpenSource', 'OpenSourceDynamics']);
    expect(tables.map((t) => t.title)).toEqual(tables.map((t) => labels.parts[t.part]));
    // Keyed parts name each row's field or metric; the figures are the JSON report's.
    const timeliness = tables.find((t) => t.part === 'Timeliness')!;
    expect(timeliness.columns.map((c) => c.code)).toEqual(['metric', 'value']);
    expect(timeliness.rows.map((r) => r.cells[0])).toEqual(timeliness.rows.map((r) => labels.labels[r.code!]));
    const json = (await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-11`)).body;
    expect(figureOf(tables, 'Timeliness', 'messages')).toBe(json.timeliness.messages);
    expect(figureOf(tables, 'Timeliness', 'messages')).toBe(4);
    expect(figureOf(tables, 'Quality', 'average_stars')).toBe(4);
    expect(figureOf(tables, 'OpenSource', 'messages')).toBe(2);
    expect(figureOf(tables, 'OpenSource', 'first_hour_rule_met')).toBe(1);
    expect(figureOf(tables, 'Report', 'as_of')).toBe('2026-12-01T00:00:00.000+07:00');
    // Grids: no row codes; the source `all` is the total of the rows above it.
    const dynamics = tables.find((t) => t.part === 'Dynamics')!;
    expect(dynamics.columns.map((c) => c.code).slice(0, 6)).toEqual(['sector_id', 'sector_ru', 'sector_en', 'category_id', 'category_ru', 'category_en']);
    expect(dynamics.rows.every((r) => r.code === null && !r.total)).toBe(true);
    const sources = tables.find((t) => t.part === 'OpenSourceDynamics')!;
    const order = ['vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other', 'all'];
    expect(sources.rows.map((r) => [r.cells[0], r.total])).toEqual(order.map((source) => [labels.values[source], source === 'all']));
    // OK: 1 against 3 in October, the fall a plain number in the JSON as in the CSV.
    expect(sources.rows[order.indexOf('ok')]!.cells.slice(1, 5)).toEqual([1, 3, 0, -2]);
  });

  it('an empty month: the same parts, zeros and empty cells, no dynamics rows', async () => {
    const res = await h.request('GET', `/api/v1/reports/monthly/tables?municipalityId=${m}&period=2026-09`);
    expect(res.status).toBe(200);
    const tables = res.body.tables as Table[];
    expect(asCsvLines(tables, 'ru')).toEqual(csvLines((await h.request('GET', `/api/v1/reports/monthly?municipalityId=${m}&period=2026-09&format=csv`)).text));
    expect(figureOf(tables, 'Timeliness', 'messages')).toBe(0);
    expect(figureOf(tables, 'Timeliness', 'overdue_share')).toBeNull();
    expect(tables.find((t) => t.part === 'Dynamics')!.rows).toEqual([]);
  });
});

describe('GET /reports/open-sources/tables', () => {
  it('the region (an operator): the CSV cell for cell, each municipality a row, the total marked and last', async () => {
    const res = await h.request('GET', '/api/v1/reports/open-sources/tables?period=2026-11');
    expect(res.status).toBe(200);
    const tables = res.body.tables as Table[];
    expect(asCsvLines(tables, 'ru')).toEqual(csvLines((await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&format=csv')).text));
    expect(tables.map((t) => t.part)).toEqual(['Report', 'OpenSource', 'OpenSourceDynamics']);
    const summary = tables.find((t) => t.part === 'OpenSource')!;
    const municipalities = (await h.t.db.selectFrom('municipality').select('id').execute()).length;
    expect(summary.rows).toHaveLength(municipalities + 1);
    expect(summary.rows.map((r) => r.total)).toEqual([...Array(municipalities).fill(false), true]);
    const name = summary.columns.findIndex((c) => c.code === 'municipality_ru');
    const messages = summary.columns.findIndex((c) => c.code === 'messages');
    expect(summary.rows.at(-1)!.cells[name]).toBe('Итого');
    expect(summary.rows.find((r) => r.cells[0] === m)!.cells[messages]).toBe(2);
    expect(summary.rows.at(-1)!.cells[messages]).toBe(2);
  });

  it("a curator: their own municipality's row and its total, in English when asked, as the CSV", async () => {
    const token = h.keys.Kemerovo.curator;
    const res = await h.request('GET', '/api/v1/reports/open-sources/tables?period=2026-11&lang=en', { token });
    expect(res.status).toBe(200);
    const tables = res.body.tables as Table[];
    const csv = await h.request('GET', '/api/v1/reports/open-sources?period=2026-11&lang=en&format=csv', { token });
    expect(asCsvLines(tables, 'en')).toEqual(csvLines(csv.text));
    const summary = tables.find((t) => t.part === 'OpenSource')!;
    expect(summary.title).toBe(reportLabels('en').parts.OpenSource);
    expect(summary.rows.map((r) => [r.cells[0], r.total])).toEqual([
      [h.municipality.Kemerovo, false],
      ['', true],
    ]);
  });
});

describe('the tables refuse what the files refuse, with the same codes', () => {
  const cases: [string, string, string, number, string][] = [
    ['a year for a month', 'monthly', `municipalityId=KEM&period=2026`, 400, 'VALIDATION'],
    ['a thirteenth month', 'monthly', `municipalityId=KEM&period=2026-13`, 400, 'VALIDATION'],
    ['a month not begun', 'monthly', `municipalityId=KEM&period=2027-01`, 422, 'PERIOD_NOT_STARTED'],
    ['an unknown municipality', 'monthly', 'municipalityId=99999999&period=2026-11', 404, 'MUNICIPALITY_NOT_FOUND'],
    ['a municipality that is no number', 'monthly', 'municipalityId=abc&period=2026-11', 400, 'VALIDATION'],
    ['no municipality (an operator must name one)', 'monthly', 'period=2026-11', 400, 'VALIDATION'],
    ['a language with no labels', 'monthly', `municipalityId=KEM&period=2026-11&lang=de`, 400, 'VALIDATION'],
    ['a year for a month', 'open-sources', 'period=2026', 400, 'VALIDATION'],
    ['a month not begun', 'open-sources', 'period=2027-01', 422, 'PERIOD_NOT_STARTED'],
    ['an unknown municipality', 'open-sources', 'period=2026-11&municipalityId=99999999', 404, 'MUNICIPALITY_NOT_FOUND'],
  ];
  it.each(cases)('%s (%s)', async (_, report, raw, status, code) => {
    const query = raw.replace('KEM', String(h.municipality.Kemerovo));
    const file = await h.request('GET', `/api/v1/reports/${report}?${query}&format=csv`);
    const tables = await h.request('GET', `/api/v1/reports/${report}/tables?${query}`);
    expect([tables.status, tables.body.code]).toEqual([status, code]);
    expect([tables.status, tables.body.code]).toEqual([file.status, file.body.code]);
    expect(tables.headers.get('content-type')).toBe('application/problem+json');
  });

  // Every role reads KPI (kpi.read); an integration key's 403 is the security matrix's (route-catalogue.ts).
  it("the same access: another municipality's curator gets 404 from both, their own 200, no key or a revoked one 401; format is no parameter of the tables", async () => {
    for (const report of ['monthly', 'open-sources']) {
      const query = `municipalityId=${h.municipality.Kemerovo}&period=2026-11`;
      for (const [token, status] of [
        [h.keys.Novokuznetsk.curator, 404],
        [h.keys.Kemerovo.curator, 200],
        [null, 401],
        [h.revoked, 401],
      ] as const) {
        const file = await h.request('GET', `/api/v1/reports/${report}?${query}&format=csv`, { token });
        const tables = await h.request('GET', `/api/v1/reports/${report}/tables?${query}`, { token });
        expect([report, tables.status]).toEqual([report, status]);
        expect(tables.status).toBe(file.status);
      }
      expect((await h.request('GET', `/api/v1/reports/${report}/tables?period=2026-11&format=csv`)).status).toBe(400);
    }
  });
});
