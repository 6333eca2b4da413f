import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 6, monthly: solved among answered (solved + explained) messages closed in the month, at least 45 %. */
export const kpi06: Indicator = {
  number: 6,
  nameRu: 'Доля «решённых» сообщений от «отвеченных/отработанных» за месяц',
  nameEn: 'Solved among answered messages',
  period: 'month',
  target: { kind: 'min_share', min: 0.45 },
  numerator: 'messages closed as solved in the month',
  denominator: 'messages closed as solved or explained in the month',
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; solved: string; answered: string }>`
      SELECT municipality_id, count(*) FILTER (WHERE status = 'solved') AS solved, count(*) AS answered
      FROM message
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND status IN ('solved', 'explained') AND duplicate_of IS NULL
        AND closed_at >= ${ctx.period.from} AND closed_at < ${ctx.period.to}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.solved), denominator: num(row?.answered) }));
  },
};
