import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Db } from '../db/types.ts';
import { DomainError, isDomainError } from '../errors.ts';
import { productionYearProblem, useProductionYears, type ProductionYear } from './production-calendar.ts';

/**
 * Reads a production calendar year from either
 * - the XML of xmlcalendar.ru (`<calendar year="2027"><days><day d="01.01" t="1"/>…`, t = 1 day off,
 *   2 shortened, 3 working day), the common machine-readable form of the decree's calendar; or
 * - JSON shaped like `ProductionYear` ({ year, source, daysOff, shortened, workingWeekends }).
 */
export function parseProductionYear(text: string, source?: string): ProductionYear {
  const trimmed = text.trim();
  let year: ProductionYear;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = JSON.parse(trimmed) as Partial<ProductionYear>;
    const list = (v: unknown) => (Array.isArray(v) && v.every((d) => typeof d === 'string') ? (v as string[]) : []);
    year = { year: Number(json.year), source: source ?? json.source ?? 'imported', daysOff: list(json.daysOff), shortened: list(json.shortened), workingWeekends: list(json.workingWeekends) };
  } else {
    const valid = trimmed === '' || XMLValidator.validate(trimmed);
    if (valid !== true) throw new DomainError('VALIDATION', { field: 'calendar', problem: `not well-formed XML (line ${valid.err.line}: ${valid.err.msg.replace(/\s+/g, ' ')})` });
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'day' }).parse(trimmed) as {
      calendar?: { year?: string; days?: { day?: { d: string; t: string }[] } };
    };
    const y = Number(doc.calendar?.year);
    if (!doc.calendar || !Number.isInteger(y)) throw new DomainError('VALIDATION', { field: 'calendar', problem: 'not a production calendar: <calendar year="…"> expected' });
    const days = doc.calendar.days?.day ?? [];
    const date = (d: string) => {
      const [month, day] = d.split('.');
      return `${y}-${month}-${day}`;
    };
    year = {
      year: y,
      source: source ?? `xmlcalendar ${y}`,
      daysOff: days.filter((d) => d.t === '1').map((d) => date(d.d)),
      shortened: days.filter((d) => d.t === '2').map((d) => date(d.d)),
      workingWeekends: days.filter((d) => d.t === '3').map((d) => date(d.d)),
    };
  }
  // Only days that change a working week count as days off: a holiday on a weekend changes nothing.
  const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
  year.daysOff = year.daysOff.filter((d) => weekday(d) !== 0 && weekday(d) !== 6);
  const problem = productionYearProblem(year);
  if (problem) throw new DomainError('VALIDATION', { field: 'calendar', problem });
  return year;
}

/**
 * `npm run calendar:import`'s reading of its file: the year, or why the file is refused in one line
 * (no stack: a missing file, a directory, text that is neither JSON nor a calendar's XML, dates that
 * do not fit the year). Unexpected errors are thrown as they are.
 */
export function readProductionYearFile(file: string, source?: string): { year: ProductionYear } | { refused: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory, not a file', EACCES: 'cannot be read (permission denied)' };
    if (code && why[code]) return { refused: why[code] };
    throw error;
  }
  try {
    return { year: parseProductionYear(text, source) };
  } catch (error) {
    if (error instanceof SyntaxError) return { refused: `not valid JSON (${error.message})` };
    if (isDomainError(error, 'VALIDATION')) return { refused: String(error.details.problem) };
    throw error;
  }
}

/** Stores a year (replacing an earlier import of it) and applies it in this process at once. */
export async function importProductionYear(db: Db, year: ProductionYear, now: Date): Promise<void> {
  const values = {
    source: year.source,
    days_off: JSON.stringify(year.daysOff),
    shortened: JSON.stringify(year.shortened),
    working_weekends: JSON.stringify(year.workingWeekends),
    imported_at: now,
  };
  await db
    .insertInto('production_calendar')
    .values({ year: year.year, ...values })
    .onConflict((oc) => oc.column('year').doUpdateSet(values))
    .execute();
  useProductionYears([year]);
}

/** Applies every imported year (at start; other instances pick an import up on their next start). */
export async function loadProductionCalendars(db: Db): Promise<ProductionYear[]> {
  const rows = await db.selectFrom('production_calendar').selectAll().orderBy('year').execute();
  const years = rows.map((r) => ({ year: r.year, source: r.source, daysOff: r.days_off, shortened: r.shortened, workingWeekends: r.working_weekends }));
  useProductionYears(years);
  return years;
}
