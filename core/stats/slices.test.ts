import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../access/scope.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { seedHandBuiltSet, STATS_NOW, type HandBuiltSet } from '../../test/stats.ts';
import { REGION_SCOPE } from './heatmap.ts';
import { METRICS } from './metrics.ts';
import { parsePeriod, periodInstants } from './period.ts';
import { computeSlices, type Dimension } from './slices.ts';

let t: TestDatabase;
let set: HandBuiltSet;
const now = STATS_NOW;
const kemerovo = (): Scope => ({ municipalityId: t.demo.municipalities.Kemerovo, executorId: null });

beforeAll(async () => {
  t = await createTestDatabase();
  set = await seedHandBuiltSet(t.db, t.demo.municipalities);
});
afterAll(() => t.close());

const slice = (groupBy: Dimension[], options: { metrics?: (typeof METRICS)[number][]; period?: string; scope?: Scope; language?: 'ru' | 'en' } = {}) =>
  computeSlices(
    t.db,
    options.scope ?? kemerovo(),
    { filter: options.period === undefined ? {} : { period: options.period }, groupBy, metrics: options.metrics ?? ['count'], language: options.language ?? 'ru' },
    now,
  );

describe('periods', () => {
  it('a month, a year, an ISO week and a day are local to the time zone', () => {
    expect(periodInstants(parsePeriod('2026-11'), 'Asia/Novokuznetsk')).toEqual({ from: new Date('2026-10-31T17:00:00Z'), to: new Date('2026-11-30T17:00:00Z') });
    expect(periodInstants(parsePeriod('2026'), 'Asia/Novokuznetsk')).toEqual({ from: new Date('2025-12-31T17:00:00Z'), to: new Date('2026-12-31T17:00:00Z') });
    expect(periodInstants(parsePeriod('2026-W45'), 'Asia/Novokuznetsk')).toEqual({ from: new Date('2026-11-01T17:00:00Z'), to: new Date('2026-11-08T17:00:00Z') });
    expect(periodInstants(parsePeriod('2026-W01'), 'UTC')).toEqual({ from: new Date('2025-12-29T00:00:00Z'), to: new Date('2026-01-05T00:00:00Z') });
    expect(periodInstants(parsePeriod('2024-02-29'), 'UTC')).toEqual({ from: new Date('2024-02-29T00:00:00Z'), to: new Date('2024-03-01T00:00:00Z') });
    expect(parsePeriod('2026-W53').days).toBe(7);
  });

  it('years below 100 are themselves, not 1900 and after (Date reads 0050 as 1950)', () => {
    expect(periodInstants(parsePeriod('0050'), 'UTC')).toEqual({ from: new Date('0050-01-01T00:00:00Z'), to: new Date('0051-01-01T00:00:00Z') });
    expect(periodInstants(parsePeriod('0099-12'), 'UTC')).toEqual({ from: new Date('0099-12-01T00:00:00Z'), to: new Date('0100-01-01T00:00:00Z') });
    expect(periodInstants(parsePeriod('0050-03-01'), 'UTC')).toEqual({ from: new Date('0050-03-01T00:00:00Z'), to: new Date('0050-03-02T00:00:00Z') });
    // Year 0 is a leap year of the proleptic Gregorian calendar, 1900 is not.
    expect(parsePeriod('0000').days).toBe(366);
    expect(periodInstants(parsePeriod('0000-02-29'), 'UTC')).toEqual({ from: new Date('0000-02-29T00:00:00Z'), to: new Date('0000-03-01T00:00:00Z') });
    expect(periodInstants(parsePeriod('0050-W01'), 'UTC').from).toEqual(new Date('0050-01-03T00:00:00Z'));
  });

  it('ISO weeks are refused when the caller has none', () => {
    expect(() => parsePeriod('2026-W05', { isoWeeks: false })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(parsePeriod('2026-11', { isoWeeks: false })).toEqual({ start: { year: 2026, month: 11, day: 1 }, days: 30 });
  });

  it.each(['2026-13', '2026-00', '2027-W53', '2026-W00', '2026-02-30', '26-11', '2026-11-5', 'last month'])('%s is refused', (text) => {
    expect(() => parsePeriod(text)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('slices: each groupBy', () => {
  it('status', async () => {
    const table = await slice(['status'], { period: '2026-11' });
    expect(table.columns).toEqual([
      { name: 'status', kind: 'dimension' },
      { name: 'count', kind: 'metric' },
    ]);
    expect(table.rows).toEqual([
      { status: 'explained', count: 1 },
      { status: 'in_work', count: 2 },
      { status: 'new', count: 2 },
      { status: 'rejected', count: 1 },
      { status: 'solved', count: 3 },
    ]);
  });

  it('source', async () => {
    expect((await slice(['source'], { period: '2026-11' })).rows).toEqual([
      { source: 'open_source', count: 1 },
      { source: 'tg', count: 7 },
      { source: 'vk', count: 1 },
    ]);
  });

  it('category and sector, with names in the language asked', async () => {
    const ids = await t.db.selectFrom('category').select(['id', 'code', 'sector_id']).where('code', 'in', ['housing.yard', 'roads.pothole']).orderBy('id').execute();
    expect((await slice(['category'], { period: '2026-11' })).rows).toEqual([
      { category: ids[0]!.id, category_name: 'Благоустройство двора', count: 1 },
      { category: ids[1]!.id, category_name: 'Ямы на дороге', count: 8 },
    ]);
    expect((await slice(['sector'], { period: '2026-11', language: 'en' })).rows).toEqual([
      { sector: ids[0]!.sector_id, sector_name: 'Housing and utilities', count: 1 },
      { sector: ids[1]!.sector_id, sector_name: 'Roads', count: 8 },
    ]);
  });

  it('municipality (the region)', async () => {
    const m = t.demo.municipalities;
    const rows = (await slice(['municipality'], { period: '2026-11', scope: REGION_SCOPE, language: 'en' })).rows;
    expect(rows).toEqual(
      [
        { municipality: m.Kemerovo, municipality_name: 'Kemerovo', count: 9 },
        { municipality: m.Novokuznetsk, municipality_name: 'Novokuznetsk', count: 1 },
        { municipality: m.Belovo, municipality_name: 'Belovo', count: 1 },
      ].sort((a, b) => a.municipality - b.municipality),
    );
  });

  it('executor, with every metric worked out by hand', async () => {
    const table = await slice(['executor'], { period: '2026-11', metrics: [...METRICS] });
    expect(table.columns.map((c) => c.name)).toEqual(['executor', 'executor_name', 'count', 'overdue_share', 'solved_share', 'median_first_answer_hours', 'avg_rating']);
    expect(table.rows).toEqual([
      { executor: set.executors.city, executor_name: 'Администрация: Кемеровский городской округ', count: 4, overdue_share: 0.5, solved_share: 1, median_first_answer_hours: 24, avg_rating: 3.33 },
      { executor: set.executors.utility, executor_name: 'Управляющая компания «Кемерово-Сервис»', count: 2, overdue_share: 0, solved_share: 0, median_first_answer_hours: 9, avg_rating: 2 },
      { executor: null, executor_name: null, count: 3, overdue_share: null, solved_share: null, median_first_answer_hours: null, avg_rating: null },
    ]);
  });

  it("month and ISO week in the municipality's time zone", async () => {
    expect((await slice(['month'])).rows).toEqual([
      { month: '2026-11', count: 9 },
      { month: '2026-12', count: 1 },
    ]);
    expect((await slice(['week'])).rows).toEqual([
      { week: '2026-W44', count: 2 },
      { week: '2026-W45', count: 2 },
      { week: '2026-W46', count: 3 },
      { week: '2026-W47', count: 2 },
      { week: '2026-W49', count: 1 },
    ]);
  });

  it('several dimensions at once, and none (the total)', async () => {
    const rows = (await slice(['month', 'source'])).rows;
    expect(rows).toEqual([
      { month: '2026-11', source: 'open_source', count: 1 },
      { month: '2026-11', source: 'tg', count: 7 },
      { month: '2026-11', source: 'vk', count: 1 },
      { month: '2026-12', source: 'tg', count: 1 },
    ]);
    expect((await slice([], { period: '2026-11', metrics: [...METRICS] })).rows).toEqual([{ count: 9, overdue_share: 0.3333, solved_share: 0.75, median_first_answer_hours: 12, avg_rating: 3 }]);
    expect((await slice([], { period: '2025-11', metrics: [...METRICS] })).rows).toEqual([{ count: 0, overdue_share: null, solved_share: null, median_first_answer_hours: null, avg_rating: null }]);
  });
});

describe('slices: each metric alone', () => {
  it.each([
    ['count', 9],
    ['overdue_share', 0.3333],
    ['solved_share', 0.75],
    ['median_first_answer_hours', 12],
    ['avg_rating', 3],
  ] as const)('%s', async (metric, value) => {
    expect((await slice([], { period: '2026-11', metrics: [metric] })).rows).toEqual([{ [metric]: value }]);
  });
});

describe('slices: scope', () => {
  it('a Kemerovo key sees nothing of Belovo; an executor only its own messages', async () => {
    const rows = (await slice(['municipality'], { period: '2026-11' })).rows;
    expect(rows.map((r) => r.municipality)).toEqual([t.demo.municipalities.Kemerovo]);
    const utility = await slice(['executor'], { period: '2026-11', scope: { municipalityId: t.demo.municipalities.Kemerovo, executorId: set.executors.utility } });
    expect(utility.rows).toEqual([{ executor: set.executors.utility, executor_name: 'Управляющая компания «Кемерово-Сервис»', count: 2 }]);
  });
});
