import { TZDate } from '@date-fns/tz';
import { stringify } from 'csv-stringify/sync';
import type { Language } from '../db/types.ts';
import { REGION_TIME_ZONE } from '../news/local-time.ts';
import { labelOf, reportLabels, type ReportLabels } from './report-labels.ts';
import type { ChangeCounts, MonthlyReport, OpenSourceRegionReport, OpenSourceReport } from './report.ts';

type Cell = string | number | null;

/**
 * The instant the figures are as of, in Kuzbass time with its offset (2026-12-01T00:00:00.000+07:00,
 * not 2026-11-30T17:00:00.000Z): the file is read by people, who took the UTC form for the evening
 * of the month's last day.
 */
const localInstant = (iso: string): string => new TZDate(Date.parse(iso), REGION_TIME_ZONE).toISOString();

const CHANGE_HEADER = ['current', 'previous_month', 'previous_year', 'month_over_month', 'month_over_month_share', 'year_over_year', 'year_over_year_share'];
const changeCells = (c: ChangeCounts): Cell[] => [c.current, c.previousMonth, c.previousYear, c.monthOverMonth, c.monthOverMonthShare, c.yearOverYear, c.yearOverYearShare];

/**
 * A part of a file, in codes: `name` and `header` are codes, and so is each row's first cell when
 * `keyed` (a field or metric name); `localize` turns them into the labels of locales/<lang>/report.json.
 * The rows from `totalFrom` on are totals of the rows above them.
 */
type Table = { name: string; header: string[]; rows: Cell[][]; keyed?: boolean; totalFrom?: number };

/**
 * A part as people read it, the one form the CSV, the XLSX and the JSON (GET /reports/…/tables) are
 * all written from: the part's code and name (the CSV's first column, the XLSX's sheet), its columns'
 * codes and labels, its rows' cells. A row's `code` is its field or metric in a keyed part (its first
 * cell is that code's label), null elsewhere; `total` marks a row that totals the rows above it.
 */
export type ReportTable = {
  part: string;
  title: string;
  columns: { code: string; label: string }[];
  rows: { code: string | null; total: boolean; cells: Cell[] }[];
};

/** The table in the language asked: part name, column labels and (keyed) row labels, the codes kept beside them. */
function localize(table: Table, l: ReportLabels): ReportTable {
  return {
    part: table.name,
    title: labelOf(l.parts, table.name),
    columns: table.header.map((code) => ({ code, label: labelOf(l.labels, code) })),
    rows: table.rows.map((cells, i) => {
      const total = table.totalFrom !== undefined && i >= table.totalFrom;
      if (!table.keyed) return { code: null, total, cells };
      const [key, ...rest] = cells;
      return { code: String(key), total, cells: [labelOf(l.labels, String(key)), ...rest] };
    }),
  };
}

/** A coded value (a source, the scope) as a label. */
const codeLabel = (l: ReportLabels, code: string): string => labelOf(l.values, code);

/** The open-source part's figures by name: the monthly report's `OpenSource` rows, the region summary's columns. */
function openSourceMetrics(o: OpenSourceReport): [string, Cell][] {
  return [
    ['messages', o.messages],
    ['first_hour_rule_met', o.timeliness.firstHourRule.met],
    ['first_hour_rule_missed', o.timeliness.firstHourRule.missed],
    ['first_hour_rule_pending', o.timeliness.firstHourRule.pending],
    ['first_hour_rule_compliance', o.timeliness.firstHourRule.compliance],
    ['median_working_minutes_to_first_draft', o.timeliness.medianWorkingMinutesToFirstDraft],
    ['answers_approved', o.timeliness.answersApproved],
    ['answers_published', o.timeliness.answersPublished],
    ['published_as_source_comment', o.timeliness.publishedAsSourceComment],
    ['published_by_hand', o.timeliness.publishedByHand],
    ['awaiting_publication', o.timeliness.awaitingPublication],
    ['messages_with_published_answer', o.timeliness.messagesWithPublishedAnswer],
    ['median_working_hours_to_first_publication', o.timeliness.medianWorkingHoursToFirstPublication],
    ['drafts', o.quality.drafts],
    ['drafts_returned', o.quality.draftsReturned],
    ['returned_share', o.quality.returnedShare],
    ['closed', o.quality.closed],
    ['solved', o.quality.solved],
    ['solved_share', o.quality.solvedShare],
    ['rated', o.quality.rated],
    ['average_stars', o.quality.averageStars],
    ['share_4_to_5', o.quality.share4to5],
  ];
}

/**
 * The report's parts as tables (a header, then rows): one CSV section or XLSX sheet each, after
 * what the file covers (`Report`: the municipality, the month and the instant the figures are as
 * of, the month's end or, in a running month, when it was made; for an ended month read from its
 * snapshot, when that was frozen and whether the data now differ). The open-source messages of seed
 * 004 §25 come after the three parts of the whole report: their timeliness and quality
 * (`OpenSource`) and their dynamics per source, `all` last (`OpenSourceDynamics`).
 */
export function reportTables(r: MonthlyReport, language: Language): ReportTable[] {
  const l = reportLabels(language);
  const t = r.timeliness;
  const q = r.quality;
  const o = r.openSource;
  const tables: Table[] = [
    {
      // What the file covers: a report goes up as a file, apart from the request that made it.
      name: 'Report',
      header: ['field', 'value'],
      keyed: true,
      rows: [
        ['municipality_id', r.municipalityId],
        ['municipality_ru', r.municipalityRu],
        ['municipality_en', r.municipalityEn],
        ['period', r.period],
        ['as_of', localInstant(r.asOf)],
        // An ended month's official figures: when they were frozen, and whether the data now differ (empty: measured live).
        ['snapshot_at', r.snapshotAt === null ? null : localInstant(r.snapshotAt)],
        ['live_differs', r.liveDiffers === null ? null : codeLabel(l, r.liveDiffers ? 'yes' : 'no')],
      ],
    },
    {
      name: 'Timeliness',
      header: ['metric', 'value'],
      keyed: true,
      rows: [
        ['messages', t.messages],
        ['accepted', t.accepted],
        ['overdue', t.overdue],
        ['overdue_share', t.overdueShare],
        ['median_working_hours_to_first_answer', t.medianWorkingHoursToFirstAnswer],
        ['median_working_hours_to_closure', t.medianWorkingHoursToClosure],
        ['first_hour_rule_messages', t.firstHourRule.messages],
        ['first_hour_rule_on_time', t.firstHourRule.onTime],
        ['first_hour_rule_compliance', t.firstHourRule.compliance],
      ],
    },
    {
      name: 'Quality',
      header: ['metric', 'value'],
      keyed: true,
      rows: [
        ['rated', q.rated],
        ['average_stars', q.averageStars],
        ['share_4_to_5', q.share4to5],
        ...(['1', '2', '3', '4', '5'] as const).map((s): Cell[] => [`stars_${s}`, q.stars[s]]),
        ['answers_returned', q.answersReturned],
        ['messages_reopened', q.messagesReopened],
      ],
    },
    {
      name: 'Dynamics',
      header: [
        'sector_id',
        'sector_ru',
        'sector_en',
        'category_id',
        'category_ru',
        'category_en',
        'current',
        'previous_month',
        'previous_year',
        'month_over_month',
        'month_over_month_share',
        'year_over_year',
        'year_over_year_share',
      ],
      rows: r.dynamics.map((d) => [
        d.sectorId,
        d.sectorRu,
        d.sectorEn,
        d.categoryId,
        d.categoryRu,
        d.categoryEn,
        d.current,
        d.previousMonth,
        d.previousYear,
        d.monthOverMonth,
        d.monthOverMonthShare,
        d.yearOverYear,
        d.yearOverYearShare,
      ]),
    },
    {
      name: 'OpenSource',
      header: ['metric', 'value'],
      keyed: true,
      rows: openSourceMetrics(o),
    },
    {
      name: 'OpenSourceDynamics',
      header: ['source', ...CHANGE_HEADER],
      rows: [...o.dynamics.bySource.map((d): Cell[] => [codeLabel(l, d.source), ...changeCells(d)]), [codeLabel(l, 'all'), ...changeCells(o.dynamics.total)]],
      totalFrom: o.dynamics.bySource.length,
    },
  ];
  return tables.map((table) => localize(table, l));
}

/** The region's open-source summary's row for its total (pooled from the messages of the rows above it). */
const TOTAL: Cell[] = ['', 'Итого', 'Total'];

/**
 * The region's open-source summary (seed 004 §25) as tables: what it covers (`Report`: the month,
 * the instant its figures are as of, the scope, the number of municipalities and, for an ended month
 * read from its snapshot, when that was frozen and whether the data now differ), a row per
 * municipality with the open-source part's figures and its messages against the previous month and
 * the same month a year before, the total last (`OpenSource`), then each municipality's messages
 * per source, the total's last (`OpenSourceDynamics`).
 */
export function openSourceRegionTables(r: OpenSourceRegionReport, language: Language): ReportTable[] {
  const l = reportLabels(language);
  const metrics = openSourceMetrics(r.total).map(([name]) => name);
  const dynamicsHeader = CHANGE_HEADER.slice(1).map((h) => `messages_${h}`);
  const row = (who: Cell[], o: OpenSourceReport): Cell[] => [...who, ...openSourceMetrics(o).map(([, v]) => v), ...changeCells(o.dynamics.total).slice(1)];
  const sources = (who: Cell[], o: OpenSourceReport): Cell[][] => [
    ...o.dynamics.bySource.map((d): Cell[] => [...who, codeLabel(l, d.source), ...changeCells(d)]),
    [...who, codeLabel(l, 'all'), ...changeCells(o.dynamics.total)],
  ];
  const named = (i: OpenSourceRegionReport['items'][number]): Cell[] => [i.municipalityId, i.municipalityRu, i.municipalityEn];
  const perSource = r.items.flatMap((i) => sources(named(i), i));
  const tables: Table[] = [
    {
      name: 'Report',
      header: ['field', 'value'],
      keyed: true,
      rows: [
        ['scope', codeLabel(l, r.municipalityId === null ? 'region' : 'municipality')],
        ['municipality_id', r.municipalityId],
        ['period', r.period],
        ['as_of', localInstant(r.asOf)],
        ['municipalities', r.items.length],
        // As the monthly report's: an ended month's frozen figures, when (the latest row's) and whether the data now differ.
        ['snapshot_at', r.snapshotAt === null ? null : localInstant(r.snapshotAt)],
        ['live_differs', r.liveDiffers === null ? null : codeLabel(l, r.liveDiffers ? 'yes' : 'no')],
      ],
    },
    {
      name: 'OpenSource',
      header: ['municipality_id', 'municipality_ru', 'municipality_en', ...metrics, ...dynamicsHeader],
      rows: [...r.items.map((i) => row(named(i), i)), row(TOTAL, r.total)],
      totalFrom: r.items.length,
    },
    {
      name: 'OpenSourceDynamics',
      header: ['municipality_id', 'municipality_ru', 'municipality_en', 'source', ...CHANGE_HEADER],
      rows: [...perSource, ...sources(TOTAL, r.total)],
      totalFrom: perSource.length,
    },
  ];
  return tables.map((table) => localize(table, l));
}

/** One CSV: each part a section (the part's name first column), UTF-8 with a BOM, formulas escaped. */
export function reportCsv(r: MonthlyReport, language: Language): string {
  return tablesCsv(reportTables(r, language), language);
}

export function openSourceRegionCsv(r: OpenSourceRegionReport, language: Language): string {
  return tablesCsv(openSourceRegionTables(r, language), language);
}

export function openSourceRegionXlsx(r: OpenSourceRegionReport, language: Language): Promise<Buffer> {
  return tablesXlsx(openSourceRegionTables(r, language));
}

function tablesCsv(tables: ReportTable[], language: Language): string {
  const part = labelOf(reportLabels(language).labels, 'part');
  const lines: Cell[][] = [];
  for (const table of tables) {
    lines.push([part, ...table.columns.map((c) => c.label)]);
    for (const row of table.rows) lines.push([table.title, ...row.cells]);
  }
  return stringify(
    lines.map((row) => row.map((c) => c ?? '')),
    { bom: true, escape_formulas: true, record_delimiter: 'windows' },
  );
}

/** The XLSX workbook (exceljs): one sheet per part, a bold header row. */
export function reportXlsx(r: MonthlyReport, language: Language): Promise<Buffer> {
  return tablesXlsx(reportTables(r, language));
}

async function tablesXlsx(tables: ReportTable[]): Promise<Buffer> {
  // Loaded on the first report: ExcelJS is ~18 MB of memory an instance serving webhooks never needs.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Otklik';
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.title);
    sheet.addRow(table.columns.map((c) => c.label)).font = { bold: true };
    for (const row of table.rows) sheet.addRow(row.cells);
    sheet.columns.forEach((c) => {
      c.width = 18;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
