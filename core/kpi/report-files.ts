import { stringify } from 'csv-stringify/sync';
import type { ChangeCounts, MonthlyReport } from './report.ts';

type Cell = string | number | null;

const CHANGE_HEADER = ['current', 'previous_month', 'previous_year', 'month_over_month', 'month_over_month_share', 'year_over_year', 'year_over_year_share'];
const changeCells = (c: ChangeCounts): Cell[] => [c.current, c.previousMonth, c.previousYear, c.monthOverMonth, c.monthOverMonthShare, c.yearOverYear, c.yearOverYearShare];

/**
 * The report's parts as tables (a header, then rows): one CSV section or XLSX sheet each, after
 * what the file covers (`Report`: the municipality, the month and the instant the figures are as
 * of, the month's end or, in a running month, when it was made). The open-source messages of seed
 * 004 §25 come after the three parts of the whole report: their timeliness and quality
 * (`OpenSource`) and their dynamics per source, `all` last (`OpenSourceDynamics`).
 */
export function reportTables(r: MonthlyReport): {
  name: 'Report' | 'Timeliness' | 'Quality' | 'Dynamics' | 'OpenSource' | 'OpenSourceDynamics';
  header: string[];
  rows: Cell[][];
}[] {
  const t = r.timeliness;
  const q = r.quality;
  const o = r.openSource;
  return [
    {
      // What the file covers: a report goes up as a file, apart from the request that made it.
      name: 'Report',
      header: ['field', 'value'],
      rows: [
        ['municipality_id', r.municipalityId],
        ['municipality_ru', r.municipalityRu],
        ['municipality_en', r.municipalityEn],
        ['period', r.period],
        ['as_of', r.asOf],
      ],
    },
    {
      name: 'Timeliness',
      header: ['metric', 'value'],
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
      rows: [
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
      ],
    },
    {
      name: 'OpenSourceDynamics',
      header: ['source', ...CHANGE_HEADER],
      rows: [...o.dynamics.bySource.map((d): Cell[] => [d.source, ...changeCells(d)]), ['all', ...changeCells(o.dynamics.total)]],
    },
  ];
}

/** One CSV: each part a section (`part` first column), UTF-8 with a BOM, formulas escaped. */
export function reportCsv(r: MonthlyReport): string {
  const lines: Cell[][] = [];
  for (const table of reportTables(r)) {
    lines.push(['part', ...table.header]);
    for (const row of table.rows) lines.push([table.name, ...row]);
  }
  return stringify(
    lines.map((row) => row.map((c) => c ?? '')),
    { bom: true, escape_formulas: true, record_delimiter: 'windows' },
  );
}

/** The XLSX workbook (exceljs): one sheet per part, a bold header row. */
export async function reportXlsx(r: MonthlyReport): Promise<Buffer> {
  // Loaded on the first report: ExcelJS is ~18 MB of memory an instance serving webhooks never needs.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Otklik';
  for (const table of reportTables(r)) {
    const sheet = workbook.addWorksheet(table.name);
    sheet.addRow(table.header).font = { bold: true };
    for (const row of table.rows) sheet.addRow(row);
    sheet.columns.forEach((c) => {
      c.width = 18;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
