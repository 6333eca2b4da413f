import { sql } from 'kysely';
import { num, type Indicator } from '../indicator.ts';

/**
 * KPI 2, monthly. Distinct residents of the municipality active in the month (resident_activity:
 * a row per resident, local day and channel) among residents registered by the period's end.
 * The audience accumulates over the month (capped at the registered count).
 */
export const kpi02: Indicator = {
  number: 2,
  nameRu: 'Доля ежемесячной аудитории платформы',
  nameEn: 'Monthly active audience',
  period: 'month',
  target: { kind: 'min_share', min: 0.15 },
  numerator: 'distinct residents active in the month (activity log, local days)',
  denominator: 'residents registered by the end of the period',
  async measure(db, ctx) {
    const { rows } = await sql<{ active: string; registered: string }>`
      SELECT
        (SELECT count(DISTINCT resident_id) FROM resident_activity
          WHERE municipality_id = ${ctx.municipalityId} AND day >= ${ctx.period.fromDay}::date AND day < ${ctx.period.toDay}::date) AS active,
        (SELECT count(*) FROM resident
          WHERE municipality_id = ${ctx.municipalityId} AND registered_at IS NOT NULL AND registered_at < ${ctx.at}) AS registered`.execute(db);
    const registered = num(rows[0]?.registered);
    return { numerator: num(rows[0]?.active), denominator: registered, accumulates: { base: 0, cap: registered } };
  },
};
