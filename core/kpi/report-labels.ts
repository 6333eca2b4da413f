import { readFileSync } from 'node:fs';
import type { Language } from '../db/types.ts';

/** A report file's words for people: part (sheet) names, column and metric labels, coded values. */
export type ReportLabels = { parts: Record<string, string>; labels: Record<string, string>; values: Record<string, string> };

const cache = new Map<Language, ReportLabels>();

/**
 * locales/<language>/report.json, read once. The files are read by officials, most of them in
 * Russian: the report's data keeps its codes (`answers_returned`), the file shows these labels.
 */
export function reportLabels(language: Language): ReportLabels {
  let labels = cache.get(language);
  if (labels === undefined) {
    labels = JSON.parse(readFileSync(new URL(`../../locales/${language}/report.json`, import.meta.url), 'utf8')) as ReportLabels;
    cache.set(language, labels);
  }
  return labels;
}

/** The label of a code; a code without one is a bug (a test reads every file in both languages). */
export function labelOf(map: Record<string, string>, code: string): string {
  const label = map[code];
  if (label === undefined) throw new Error(`report label missing: ${code}`);
  return label;
}
