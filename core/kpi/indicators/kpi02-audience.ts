import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

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
    const active = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(DISTINCT resident_id) AS n FROM resident_activity
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND day >= ${ctx.period.fromDay}::date AND day < ${ctx.period.toDay}::date
      GROUP BY municipality_id`.execute(db);
    const registered = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(*) AS n FROM resident
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND registered_at IS NOT NULL AND registered_at < ${ctx.at}
      GROUP BY municipality_id`.execute(db);
    const activeOf = new Map(active.rows.map((r) => [Number(r.municipality_id), num(r.n)]));
    return perMunicipality(ctx, registered.rows, (row, m) => {
      const base = num(row?.n);
      return { numerator: activeOf.get(m.id) ?? 0, denominator: base, accumulates: { base: 0, cap: base } };
    });
  },
};
