import { sql } from 'kysely';
import { num, perMunicipality, type Indicator, type Violation } from '../indicator.ts';

/**
 * KPI 14, monthly: units of outdoor advertising of the platform on display in the month (entered
 * through POST /kpi/placements), from 1 to 10, each placed for at least 3 months. Three months are
 * calendar months: a unit counts when it is on display on at least one day of the month and its
 * last day is no earlier than the day before the same date three months after its first day
 * (1 February to 30 April qualifies with 89 days; 1 March to 28 May, also 89 days, does not).
 * Shorter units are reported as violations and not counted.
 */
export const kpi14: Indicator = {
  number: 14,
  nameRu: 'Размещение наружной рекламы (1–10 единиц в месяц, не менее 3 месяцев)',
  nameEn: 'Outdoor advertising units (1–10 a month, each ≥ 3 months)',
  period: 'month',
  target: { kind: 'range', min: 1, max: 10 },
  numerator: 'placements on display in the month lasting at least three calendar months',
  denominator: null,
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; id: number; long_enough: boolean; days: number }>`
      SELECT municipality_id, id, ends_on >= (starts_on + interval '3 months' - interval '1 day')::date AS long_enough, (ends_on - starts_on + 1) AS days
      FROM kpi_placement
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND starts_on < ${ctx.period.toDay}::date AND ends_on >= ${ctx.period.fromDay}::date
      ORDER BY id`.execute(db);
    return perMunicipality(ctx, [], (_row, m) => {
      const mine = rows.filter((r) => Number(r.municipality_id) === m.id);
      const violations: Violation[] = mine.filter((r) => !r.long_enough).map((r) => ({ rule: 'placement_shorter_than_3_months', placementId: r.id, days: num(r.days) }));
      return { numerator: mine.filter((r) => r.long_enough).length, denominator: null, details: { notCounted: violations } };
    });
  },
};
