import type ExcelJS from 'exceljs';
import { reportLabels } from '../../../core/kpi/report-labels.ts';

/**
 * A report file's labels back to the codes the report's data uses (`Ответов возвращено на доработку`
 * → `answers_returned`), for tests that check figures by name; the labels themselves are checked
 * in the files' own tests. Throws when two codes share a label (the file would be ambiguous).
 */
function reverse(language: 'ru' | 'en'): Map<string, string> {
  const l = reportLabels(language);
  const codes = new Map<string, string>();
  for (const map of [l.parts, l.labels, l.values]) {
    for (const [code, label] of Object.entries(map)) {
      if (codes.has(label) && codes.get(label) !== code) throw new Error(`two codes labelled ${label}`);
      codes.set(label, code);
    }
  }
  return codes;
}

export function csvCodes(rows: string[][], language: 'ru' | 'en' = 'ru'): string[][] {
  const codes = reverse(language);
  return rows.map((row) => row.map((cell) => codes.get(cell) ?? cell));
}

/** The workbook with sheet names and text cells back to codes. */
export function workbookCodes(workbook: ExcelJS.Workbook, language: 'ru' | 'en' = 'ru'): ExcelJS.Workbook {
  const codes = reverse(language);
  for (const sheet of workbook.worksheets) {
    sheet.name = codes.get(sheet.name) ?? sheet.name;
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') cell.value = codes.get(cell.value) ?? cell.value;
      }),
    );
  }
  return workbook;
}
