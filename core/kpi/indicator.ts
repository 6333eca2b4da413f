import type { Db } from '../db/types.ts';

export type KpiStatus = 'met' | 'on_track' | 'at_risk' | 'missed';
export const KPI_STATUSES: readonly KpiStatus[] = ['met', 'on_track', 'at_risk', 'missed'];
export type PeriodKind = 'month' | 'year';

/**
 * A target as seed 000 states it. Counts are per period (a monthly count asked for a whole year
 * is scaled by 12, see engine.ts); shares are fractions (0.45 = 45 %).
 */
export type Target = { kind: 'min_count'; min: number } | { kind: 'min_share'; min: number } | { kind: 'max_share'; max: number } | { kind: 'range'; min: number; max: number };

/** A local calendar period of one municipality: its instants and its local days. */
export interface KpiPeriod {
  /** 'YYYY-MM' or 'YYYY'. */
  key: string;
  kind: PeriodKind;
  /** [from, to): local midnight to local midnight in the municipality's zone. */
  from: Date;
  to: Date;
  /** Local days: the first, and the one after the last ('YYYY-MM-DD'). */
  fromDay: string;
  toDay: string;
}

/**
 * What one measurement covers: one or more municipalities sharing a time zone (the region is
 * measured in one grouped query per indicator, not one per municipality), one period.
 */
export interface MeasureContext {
  /** The municipalities measured, with their population aged over 14 (KPI 1). */
  municipalities: { id: number; populationOver14: number }[];
  /** Their ids (for `municipality_id = ANY(…)`). */
  ids: number[];
  timeZone: string;
  period: KpiPeriod;
  /** When the value is taken: the period's end once it has closed, else now. */
  at: Date;
  /** The clock (for rules judged on what has happened so far, e.g. KPI 3's ended weeks). */
  now: Date;
}

/** A rule broken within the period (a week without a poll, a contest longer than a month…). */
export interface Violation {
  rule: string;
  [detail: string]: unknown;
}

/** A sub-target that must be met as well (KPI 5: cultural and sport events separately). */
export interface KpiPart {
  name: string;
  numerator: number;
  target: Target;
}

export interface Measurement {
  numerator: number;
  /** null for counts; for shares the base (0 gives a null value: a share of nothing). */
  denominator: number | null;
  /**
   * The numerator accumulates over the period from `base` (counts, registrations, the monthly
   * audience): the projection extrapolates its growth linearly. Absent: a ratio whose current
   * value is its own best projection (KPI 6, 7, 8, 9, 11).
   */
  accumulates?: { base: number; cap?: number };
  /** Replaces the indicator's target for this measurement (KPI 1 switches from 25 % to +2 %). */
  target?: Target;
  parts?: KpiPart[];
  violations?: Violation[];
  details?: Record<string, unknown>;
}

/**
 * One indicator of seed 000 (table 2): one file each under indicators/. `sql` is the formula as
 * run (numerator and denominator columns), kept as text for the documentation and the API.
 */
export interface Indicator {
  number: number;
  nameRu: string;
  nameEn: string;
  period: PeriodKind;
  target: Target;
  /** The numerator and denominator in words (English), as documented in the README. */
  numerator: string;
  denominator: string | null;
  /** Tables of other modules it reads (polls, news, contests): without them it is reported unavailable. */
  tables?: string[];
  /** One Measurement per municipality of the context (every one of them, zero when it has no rows). */
  measure(db: Db, ctx: MeasureContext): Promise<Map<number, Measurement>>;
}

/** Rows grouped by municipality_id turned into one Measurement per municipality of the context. */
export function perMunicipality<R extends { municipality_id: number }>(
  ctx: MeasureContext,
  rows: R[],
  build: (row: R | undefined, municipality: { id: number; populationOver14: number }) => Measurement,
): Map<number, Measurement> {
  const byId = new Map(rows.map((r) => [Number(r.municipality_id), r]));
  return new Map(ctx.municipalities.map((m) => [m.id, build(byId.get(m.id), m)]));
}

/** Numbers from a raw row (PostgreSQL count() is a bigint string). */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
