import { sql } from 'kysely';
import { num, type Indicator } from '../indicator.ts';

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
    const { rows } = await sql<{ published: string; accepted: string }>`
      SELECT count(*) FILTER (WHERE published) AS published, count(*) AS accepted
      FROM message
      WHERE municipality_id = ${ctx.municipalityId} AND accepted_at >= ${ctx.period.from} AND accepted_at < ${ctx.period.to}`.execute(db);
    return { numerator: num(rows[0]?.published), denominator: num(rows[0]?.accepted) };
  },
};
