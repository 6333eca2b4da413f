import { isCalendarDate } from './calendar-date.ts';

/**
 * The official Russian production calendar («производственный календарь»): days off beyond the
 * weekends (public holidays of Labour Code art. 112 and the days the Government's annual decree
 * moves), pre-holiday days shortened by one hour, and weekend days that become working days.
 * Applied to every municipality's working time by default (working-time.ts); a municipality's own
 * `holidays`, `shortenedDays` and `extraWorkDays` add to it, and `national: false` turns it off.
 *
 * 2025–2027 ship with the code (below); later years are imported with `npm run calendar:import`
 * (table `production_calendar`, loaded at start by `loadProductionCalendars`).
 */
export interface ProductionYear {
  year: number;
  /** The legal act it follows. */
  source: string;
  /** Days off on what would be working days (holidays and transferred days off), 'YYYY-MM-DD'. */
  daysOff: string[];
  /** Pre-holiday working days, one hour shorter (Labour Code art. 95). */
  shortened: string[];
  /** Saturdays or Sundays that are working days by a transfer. */
  workingWeekends: string[];
  /** Not yet confirmed by the year's decree: only the statutory part is in. */
  provisional?: boolean;
}

const RU_2025: ProductionYear = {
  year: 2025,
  source: 'Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»',
  // Jan 4 → May 2, Jan 5 → Dec 31, Feb 23 → May 8, Mar 8 → Jun 13, Nov 1 → Nov 3.
  daysOff: [
    '2025-01-01',
    '2025-01-02',
    '2025-01-03',
    '2025-01-06',
    '2025-01-07',
    '2025-01-08',
    '2025-05-01',
    '2025-05-02',
    '2025-05-08',
    '2025-05-09',
    '2025-06-12',
    '2025-06-13',
    '2025-11-03',
    '2025-11-04',
    '2025-12-31',
  ],
  shortened: ['2025-03-07', '2025-04-30', '2025-06-11', '2025-11-01'],
  workingWeekends: ['2025-11-01'],
};

const RU_2026: ProductionYear = {
  year: 2026,
  source: 'Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»',
  // Jan 3 → Jan 9, Jan 4 → Dec 31; Mar 8 (Sun) → Mar 9, May 9 (Sat) → May 11 by art. 112.
  daysOff: [
    '2026-01-01',
    '2026-01-02',
    '2026-01-05',
    '2026-01-06',
    '2026-01-07',
    '2026-01-08',
    '2026-01-09',
    '2026-02-23',
    '2026-03-09',
    '2026-05-01',
    '2026-05-11',
    '2026-06-12',
    '2026-11-04',
    '2026-12-31',
  ],
  shortened: ['2026-04-30', '2026-05-08', '2026-06-11', '2026-11-03'],
  workingWeekends: [],
};

/**
 * 2027: the public holidays of art. 112 and its automatic moves of holidays falling on a weekend
 * (May 1 → May 3, May 9 → May 10, Jun 12 → Jun 14) with their pre-holiday days. The Government's
 * decree for 2027 (where Jan 2–3 go, the November transfer) is not in yet: import the year from
 * the decree's calendar with `npm run calendar:import` when it is published; the import replaces this.
 */
const RU_2027: ProductionYear = {
  year: 2027,
  source: 'Трудовой кодекс РФ, ст. 112 (праздничные дни и перенос при совпадении с выходным); постановление о переносе на 2027 год не учтено',
  provisional: true,
  daysOff: ['2027-01-01', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08', '2027-02-23', '2027-03-08', '2027-05-03', '2027-05-10', '2027-06-14', '2027-11-04'],
  shortened: ['2027-02-22', '2027-04-30', '2027-06-11', '2027-11-03'],
  workingWeekends: [],
};

export const SHIPPED_YEARS: readonly ProductionYear[] = [RU_2025, RU_2026, RU_2027];

interface DayIndex {
  off: Set<string>;
  shortened: Set<string>;
  working: Set<string>;
}

const years = new Map<number, ProductionYear>(SHIPPED_YEARS.map((y) => [y.year, y]));
let index: DayIndex = buildIndex();

function buildIndex(): DayIndex {
  const next: DayIndex = { off: new Set(), shortened: new Set(), working: new Set() };
  for (const y of years.values()) {
    for (const d of y.daysOff) next.off.add(d);
    for (const d of y.shortened) next.shortened.add(d);
    for (const d of y.workingWeekends) next.working.add(d);
  }
  return next;
}

/** Adds (or replaces) years, e.g. imported ones; a year imported later wins over the shipped one. */
export function useProductionYears(list: readonly ProductionYear[]): void {
  for (const y of list) years.set(y.year, y);
  index = buildIndex();
}

/** Back to the shipped years only (tests). */
export function resetProductionYears(): void {
  years.clear();
  for (const y of SHIPPED_YEARS) years.set(y.year, y);
  index = buildIndex();
}

export function productionYears(): ProductionYear[] {
  return [...years.values()].sort((a, b) => a.year - b.year);
}

/** How the national calendar sees a local day 'YYYY-MM-DD'. */
export function nationalDay(key: string): { off: boolean; shortened: boolean; working: boolean } {
  return { off: index.off.has(key), shortened: index.shortened.has(key), working: index.working.has(key) };
}

/** Problems of a year before it is stored: dates in the year, no date both off and working. */
export function productionYearProblem(y: ProductionYear): string | null {
  if (!Number.isInteger(y.year) || y.year < 2000 || y.year > 2100) return 'year must be between 2000 and 2100';
  for (const d of [...y.daysOff, ...y.shortened, ...y.workingWeekends]) {
    if (!isCalendarDate(d) || !d.startsWith(`${y.year}-`)) return `date ${d} is not a day of ${y.year}`;
  }
  const off = new Set(y.daysOff);
  const clash = y.workingWeekends.find((d) => off.has(d)) ?? y.shortened.find((d) => off.has(d));
  if (clash) return `${clash} cannot be both a day off and a working day`;
  return null;
}
