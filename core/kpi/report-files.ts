import { stringify } from 'csv-stringify/sync';
import type { MonthlyReport } from './report.ts';

type Cell = string | number | null;

/** The report's three parts as tables (a header, then rows): one CSV section or XLSX sheet each. */
export function reportTables(r: MonthlyReport): { name: 'Timeliness' | 'Quality' | 'Dynamics'; header: string[]; rows: Cell[][] }[] {
  const t = r.timeliness;
  const q = r.quality;
  return [
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
