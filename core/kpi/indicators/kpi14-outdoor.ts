import { sql } from 'kysely';
import { localDay } from '../../activity/activity.ts';
import { num, perMunicipality, type Indicator, type Violation } from '../indicator.ts';

export const OUTDOOR_MIN = 1;
export const OUTDOOR_MAX = 10;

/**
 * KPI 14, monthly: units of outdoor advertising of the platform on display in the month (entered
 * through POST /kpi/placements), from 1 to 10, each placed for at least 3 months. Three months are
 * calendar months: a unit counts when it is on display on at least one day of the month and its
 * last day is no earlier than the day before the same date three months after its first day
 * (1 February to 30 April qualifies with 89 days; 1 March to 28 May, also 89 days, does not).
 * Shorter units are reported as violations and not counted.
 *
 * Over a year the target stays «не менее 1 и не более 10 единиц наружной рекламы в месяц» (seed 000,
 * KPI 14): the numerator is unit-months (each month's units added up, against 12 to 120), and every
 * ended month outside 1–10 is a violation, so a year is met only when each of its months was. (A
 * year's distinct units against 12–120 called a year missed whose every month had met the act.)
 */
export const kpi14: Indicator = {
  number: 14,
  nameRu: 'Размещение наружной рекламы (1–10 единиц в месяц, не менее 3 месяцев)',
  nameEn: 'Outdoor advertising units (1–10 a month, each ≥ 3 months)',
  period: 'month',
  target: { kind: 'range', min: OUTDOOR_MIN, max: OUTDOOR_MAX },
  numerator: 'placements on display in the month lasting at least three calendar months (over a year: unit-months, each month judged)',
  denominator: null,
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; id: number; long_enough: boolean; days: number; starts_on: string; ends_on: string }>`
      SELECT municipality_id, id, ends_on >= (starts_on + interval '3 months' - interval '1 day')::date AS long_enough, (ends_on - starts_on + 1) AS days,
             to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on
      FROM kpi_placement
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND starts_on < ${ctx.period.toDay}::date AND ends_on >= ${ctx.period.fromDay}::date
      ORDER BY id`.execute(db);
    return perMunicipality(ctx, [], (_row, m) => {
      const mine = rows.filter((r) => Number(r.municipality_id) === m.id);
      const notCounted: Violation[] = mine.filter((r) => !r.long_enough).map((r) => ({ rule: 'placement_shorter_than_3_months', placementId: r.id, days: num(r.days) }));
      const counted = mine.filter((r) => r.long_enough);
      if (ctx.period.kind !== 'year') return { numerator: counted.length, denominator: null, details: { notCounted } };
      const atDay = ctx.at.getTime() >= ctx.period.to.getTime() ? ctx.period.toDay : localDay(ctx.at, ctx.timeZone);
      const violations: Violation[] = [];
      const byMonth: Record<string, number> = {};
      let unitMonths = 0;
      for (const [from, to] of monthsOf(ctx.period.fromDay, ctx.period.toDay)) {
        if (from >= atDay) break;
        const units = counted.filter((r) => r.starts_on < to && r.ends_on >= from).length;
        byMonth[from.slice(0, 7)] = units;
        unitMonths += units;
        // A month still running is not judged yet (it may still get its unit).
        if (to <= atDay && (units < OUTDOOR_MIN || units > OUTDOOR_MAX)) violations.push({ rule: 'month_out_of_range', month: from.slice(0, 7), units });
      }
      return { numerator: unitMonths, denominator: null, accumulates: { base: 0 }, violations, details: { notCounted, byMonth } };
    });
  },
};

/** The months [first day, first day of the next) within [fromDay, toDay), as 'YYYY-MM-DD'. */
function monthsOf(fromDay: string, toDay: string): [string, string][] {
  const months: [string, string][] = [];
  let [y, mo] = fromDay.split('-').map(Number) as [number, number];
  for (let from = fromDay; from < toDay; ) {
    if (mo === 12) {
      y += 1;
      mo = 1;
    } else mo += 1;
    const to = `${y}-${String(mo).padStart(2, '0')}-01`;
    months.push([from, to]);
    from = to;
  }
  return months;
}
