import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/**
 * KPI 11, monthly: rated 4 or 5 stars among the answered (solved + explained) messages closed in the
 * month, at least 20 % (seed 000: «Доля оценённых сообщений на 4-5 звезд от всех «отвеченных/отработанных»
 * сообщений за месяц»). A rating counts in the month only if given within it (by the month's end,
 * or by the measurement in a running month): stars given in December do not raise November's share.
 */
export const kpi11: Indicator = {
  number: 11,
  nameRu: 'Доля сообщений, оценённых на 4–5 звёзд, от «отвеченных/отработанных» за месяц',
  nameEn: 'Rated 4–5 among answered messages',
  period: 'month',
  target: { kind: 'min_share', min: 0.2 },
  numerator: 'messages closed as solved or explained in the month rated 4 or 5 stars within the month',
  denominator: 'messages closed as solved or explained in the month',
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; good: string; answered: string }>`
      SELECT municipality_id, count(*) FILTER (WHERE rating_stars >= 4 AND rated_at < ${ctx.period.to} AND rated_at < ${ctx.at}) AS good, count(*) AS answered
      FROM message
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND status IN ('solved', 'explained') AND duplicate_of IS NULL
        AND closed_at >= ${ctx.period.from} AND closed_at < ${ctx.period.to}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.good), denominator: num(row?.answered) }));
  },
};
