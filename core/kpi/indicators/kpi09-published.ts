import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 9, monthly: published among the messages accepted into work in the month (accepted_at), at least 70 %. */
export const kpi09: Indicator = {
  number: 9,
  nameRu: 'Доля опубликованных сообщений от принятых в работу',
  nameEn: 'Published among accepted messages',
  period: 'month',
  target: { kind: 'min_share', min: 0.7 },
  numerator: 'messages accepted into work in the month that are published',
  denominator: 'messages accepted into work in the month',
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; published: string; accepted: string }>`
      SELECT municipality_id, count(*) FILTER (WHERE published) AS published, count(*) AS accepted
      FROM message
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND accepted_at >= ${ctx.period.from} AND accepted_at < ${ctx.period.to} AND duplicate_of IS NULL
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.published), denominator: num(row?.accepted) }));
  },
};
