import { sql } from 'kysely';
import { num, perMunicipality, type Indicator, type MeasureContext, type Measurement, type Violation } from '../indicator.ts';
import { localPeriod } from '../period.ts';

export const AUDIENCE_SHARE = 0.15;

/**
 * KPI 2, monthly. Distinct residents of the municipality active in the month (resident_activity:
 * a row per resident, local day and channel) among residents registered by the period's end.
 * The audience accumulates over the month (capped at the registered count).
 *
 * Over a year the share stays a month's (seed 000, KPI 2: «Доля аудитории на Платформе … в месяц —
 * не менее 15%»): the value is the year's monthly audiences against the months' registered counts
 * (the mean monthly share, weighted), over the months that have ended (the running one while none
 * has), and each ended month below 15 % is a violation. (The residents active at any time in the
 * year against those registered called a year met whose every month had 10 %.)
 */
export const kpi02: Indicator = {
  number: 2,
  nameRu: 'Доля ежемесячной аудитории платформы',
  nameEn: 'Monthly active audience',
  period: 'month',
  target: { kind: 'min_share', min: AUDIENCE_SHARE },
  numerator: 'distinct residents active in the month (activity log, local days); over a year, the monthly audiences added up',
  denominator: 'residents registered by the end of the period; over a year, by the end of each month, added up',
  async measure(db, ctx) {
    if (ctx.period.kind === 'year') return measureYear(db, ctx);
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

async function measureYear(db: Parameters<Indicator['measure']>[0], ctx: MeasureContext): Promise<Map<number, Measurement>> {
  const year = Number(ctx.period.fromDay.slice(0, 4));
  const all = Array.from({ length: 12 }, (_, i) => localPeriod(year, i + 1, ctx.timeZone)).filter((p) => p.from.getTime() < ctx.at.getTime());
  const ended = all.filter((p) => p.to.getTime() <= ctx.at.getTime());
  // The months judged: those ended; while none has, the running one (as a month is judged).
  const months = ended.length > 0 ? ended : all;
  if (months.length === 0) return perMunicipality(ctx, [], () => ({ numerator: 0, denominator: 0 }));
  const ends = months.map((p) => new Date(Math.min(p.to.getTime(), ctx.at.getTime())));
  const active = await sql<{ municipality_id: number; month: string; n: string }>`
    SELECT municipality_id, to_char(day, 'YYYY-MM') AS month, count(DISTINCT resident_id) AS n FROM resident_activity
    WHERE municipality_id = ANY(${ctx.ids}::int[]) AND day >= ${months[0]!.fromDay}::date AND day < ${months.at(-1)!.toDay}::date
    GROUP BY 1, 2`.execute(db);
  const registered = await sql<{ municipality_id: number; ord: string; n: string }>`
    SELECT r.municipality_id, e.ord, count(*) AS n
    FROM resident r CROSS JOIN unnest(${ends}::timestamptz[]) WITH ORDINALITY AS e(t, ord)
    WHERE r.municipality_id = ANY(${ctx.ids}::int[]) AND r.registered_at IS NOT NULL AND r.registered_at < e.t
    GROUP BY 1, 2`.execute(db);
  return perMunicipality(ctx, [], (_row, m) => {
    let numerator = 0;
    let denominator = 0;
    const violations: Violation[] = [];
    const byMonth: Record<string, { active: number; registered: number }> = {};
    months.forEach((p, i) => {
      const a = num(active.rows.find((r) => Number(r.municipality_id) === m.id && r.month === p.key)?.n);
      const reg = num(registered.rows.find((r) => Number(r.municipality_id) === m.id && Number(r.ord) === i + 1)?.n);
      numerator += a;
      denominator += reg;
      byMonth[p.key] = { active: a, registered: reg };
      if (p.to.getTime() <= ctx.at.getTime() && (reg === 0 || a < AUDIENCE_SHARE * reg - 1e-9)) violations.push({ rule: 'month_below_target', month: p.key, active: a, registered: reg });
    });
    return { numerator, denominator, violations, details: { byMonth } };
  });
}
