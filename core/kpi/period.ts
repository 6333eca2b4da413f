import { TZDate } from '@date-fns/tz';
import { DomainError } from '../errors.ts';
import type { Indicator, KpiPeriod, PeriodKind, Target } from './indicator.ts';

/** The years a KPI period may fall in; the officials' entries (KPI 14, 16) keep to them too. */
export const KPI_FIRST_YEAR = 2000;
export const KPI_LAST_YEAR = 2100;

export const KPI_PERIOD_PATTERN = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/;

export interface RequestedPeriod {
  key: string;
  kind: PeriodKind;
  year: number;
  /** 1..12 for a month. */
  month: number | null;
}

/** `2026-11` or `2026`; anything else is VALIDATION on `period`. */
export function parseKpiPeriod(key: string): RequestedPeriod {
  const m = KPI_PERIOD_PATTERN.exec(key);
  if (!m) throw new DomainError('VALIDATION', { field: 'period', problem: 'expected YYYY-MM or YYYY' });
  const year = Number(m[1]);
  if (year < KPI_FIRST_YEAR || year > KPI_LAST_YEAR) throw new DomainError('VALIDATION', { field: 'period', problem: 'year out of range' });
  return m[2] === undefined ? { key, kind: 'year', year, month: null } : { key, kind: 'month', year, month: Number(m[2]) };
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (y: number, m: number) => (m > 12 ? `${y + 1}-01-01` : `${y}-${pad(m)}-01`);

/** The local period `[from, to)` of a month (1..12) or a whole year (month null) in `timeZone`. */
export function localPeriod(year: number, month: number | null, timeZone: string): KpiPeriod {
  if (month === null) {
    return {
      key: String(year),
      kind: 'year',
      from: new Date(new TZDate(year, 0, 1, timeZone).getTime()),
      to: new Date(new TZDate(year + 1, 0, 1, timeZone).getTime()),
      fromDay: `${year}-01-01`,
      toDay: `${year + 1}-01-01`,
    };
  }
  return {
    key: `${year}-${pad(month)}`,
    kind: 'month',
    from: new Date(new TZDate(year, month - 1, 1, timeZone).getTime()),
    to: new Date(new TZDate(year, month, 1, timeZone).getTime()),
    fromDay: day(year, month),
    toDay: day(year, month + 1),
  };
}

/**
 * Refuses a period that has not begun in `timeZone` at `now` (PERIOD_NOT_STARTED): it has no
 * figures, and zeros would read as a real month. The period running now is answered (partial, as
 * of now); so is any past one.
 */
export function requireStarted(requested: RequestedPeriod, timeZone: string, now: Date): void {
  const { from } = localPeriod(requested.year, requested.month, timeZone);
  if (now.getTime() >= from.getTime()) return;
  throw new DomainError(
    'PERIOD_NOT_STARTED',
    { field: 'period', period: requested.key, startsAt: from.toISOString() },
    `The period ${requested.key} has not begun yet (it starts at ${from.toISOString()}), so it has no figures: ask for the current period or an earlier one.`,
  );
}

export function previousPeriodKey(p: RequestedPeriod): string {
  if (p.kind === 'year') return String(p.year - 1);
  return p.month === 1 ? `${p.year - 1}-12` : `${p.year}-${pad(p.month! - 1)}`;
}

/** The local month `at` falls in, as a key. */
export function monthKeyAt(at: Date, timeZone: string): string {
  const local = new TZDate(at.getTime(), timeZone);
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}`;
}

/**
 * What an indicator measures for a requested period, and against what:
 * - a monthly indicator for a month: that month;
 * - a yearly indicator for a month: the year to date (1 January to the month's end), judged against
 *   the whole year (so only December can close it);
 * - a monthly indicator for a year: the whole year, its count targets scaled by 12 (shares unchanged);
 * - a yearly indicator for a year: the year.
 */
export interface IndicatorWindow {
  /** What the measurement covers. */
  measured: KpiPeriod;
  /** When the indicator's own period ends (its status is final from then). */
  judgedTo: Date;
  judgedFrom: Date;
  target: Target;
  /** The indicator's own period key (alerts are once per indicator and this key). */
  ownKey: string;
}

export function indicatorWindow(indicator: Indicator, requested: RequestedPeriod, timeZone: string): IndicatorWindow {
  if (requested.kind === 'month') {
    const month = localPeriod(requested.year, requested.month, timeZone);
    if (indicator.period === 'month') return { measured: month, judgedFrom: month.from, judgedTo: month.to, target: indicator.target, ownKey: month.key };
    const year = localPeriod(requested.year, null, timeZone);
    return { measured: { ...year, key: month.key, to: month.to, toDay: month.toDay }, judgedFrom: year.from, judgedTo: year.to, target: indicator.target, ownKey: year.key };
  }
  const year = localPeriod(requested.year, null, timeZone);
  const target = indicator.period === 'month' ? scaleTarget(indicator.target, 12) : indicator.target;
  return { measured: year, judgedFrom: year.from, judgedTo: year.to, target, ownKey: year.key };
}

/** Counts per month become counts per `months`; shares stay as they are. */
export function scaleTarget(target: Target, months: number): Target {
  if (target.kind === 'min_count') return { kind: 'min_count', min: target.min * months };
  if (target.kind === 'range') return { kind: 'range', min: target.min * months, max: target.max * months };
  return target;
}
