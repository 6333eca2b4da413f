import type { KpiStatus, Measurement, Target } from './indicator.ts';

/**
 * How value + target become a status (README "KPI engine"):
 * - a closed period is `met` or `missed`;
 * - a period in progress is `on_track` or `at_risk` by its projection, or already `met` when an
 *   accumulating count or share has reached its target (it cannot fall back);
 * - projection: an accumulating numerator (counts, registrations, the monthly audience) grows
 *   linearly with the elapsed share f of the period: projected = base + (numerator − base) / f,
 *   capped where a cap exists; a ratio (KPI 6, 7, 8, 9, 11) is projected at its current value;
 * - before a quarter of the period has elapsed (GRACE_FRACTION) a shortfall is not yet `at_risk`:
 *   a month's first week projects from too little data to be a warning;
 * - a broken rule (violations that block: KPI 3's weeks and days) makes the period `missed` when
 *   closed and `at_risk` while running; a part (KPI 5's culture and sport) must hold as well;
 * - a share over nothing (denominator 0) has no value: `on_track` while running; when closed,
 *   `met` for an upper bound (nothing went wrong), `missed` for a lower bound (nothing achieved).
 */
export const GRACE_FRACTION = 0.25;
const EPSILON = 1e-9;

export interface Judgement {
  status: KpiStatus;
  value: number | null;
  projection: number | null;
}

const ORDER: KpiStatus[] = ['met', 'on_track', 'at_risk', 'missed'];
export const worst = (a: KpiStatus, b: KpiStatus): KpiStatus => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

function isShare(target: Target): boolean {
  return target.kind === 'min_share' || target.kind === 'max_share';
}

/** The value of a measurement for a target: a share (null over nothing) or the count. */
export function measuredValue(target: Target, numerator: number, denominator: number | null): number | null {
  if (!isShare(target)) return numerator;
  return denominator && denominator > 0 ? numerator / denominator : null;
}

function project(target: Target, m: Measurement, numerator: number, fraction: number, closed: boolean): number | null {
  const value = measuredValue(target, numerator, m.denominator);
  if (closed || !m.accumulates || value === null) return value;
  const f = Math.max(fraction, EPSILON);
  let projected = m.accumulates.base + (numerator - m.accumulates.base) / f;
  if (m.accumulates.cap !== undefined) projected = Math.min(projected, m.accumulates.cap);
  return isShare(target) ? projected / (m.denominator ?? 1) : projected;
}

/** Judges one numerator against one target; see the module comment. */
export function judgeOne(target: Target, m: Measurement, numerator: number, fraction: number, closed: boolean): Judgement {
  const value = measuredValue(target, numerator, m.denominator);
  const projection = project(target, m, numerator, fraction, closed);
  const early = fraction < GRACE_FRACTION;
  const status = ((): KpiStatus => {
    switch (target.kind) {
      case 'min_count':
      case 'min_share': {
        const reached = value !== null && value >= target.min - EPSILON;
        if (closed) return reached ? 'met' : 'missed';
        if (reached) return m.accumulates ? 'met' : 'on_track';
        if (early || projection === null) return 'on_track';
        return projection >= target.min - EPSILON ? 'on_track' : 'at_risk';
      }
      case 'max_share': {
        const within = value === null || value <= target.max + EPSILON;
        if (closed) return within ? 'met' : 'missed';
        return within || early ? 'on_track' : 'at_risk';
      }
      case 'range': {
        const within = value !== null && value >= target.min - EPSILON && value <= target.max + EPSILON;
        if (closed) return within ? 'met' : 'missed';
        if (value !== null && value > target.max + EPSILON) return 'at_risk';
        if (within || early || projection === null) return 'on_track';
        return projection >= target.min - EPSILON ? 'on_track' : 'at_risk';
      }
    }
  })();
  return { status, value, projection };
}

/** Blocking rules: every violation of KPI 3 (weeks, days); others report theirs in details only. */
export function judge(target: Target, m: Measurement, fraction: number, closed: boolean): Judgement & { parts: { name: string; status: KpiStatus }[] } {
  const main = judgeOne(target, m, m.numerator, fraction, closed);
  let status = main.status;
  const parts = (m.parts ?? []).map((p) => {
    const j = judgeOne(p.target, { ...m, denominator: null }, p.numerator, fraction, closed);
    status = worst(status, j.status);
    return { name: p.name, status: j.status };
  });
  if ((m.violations ?? []).length > 0) status = worst(status, closed ? 'missed' : 'at_risk');
  return { ...main, status, parts };
}
