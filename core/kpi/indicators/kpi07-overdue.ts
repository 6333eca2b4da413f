import { sql } from 'kysely';
import { OVERDUE_DAYS } from '../../messages/overdue.ts';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/**
 * KPI 7, yearly: overdue among the messages in work during the year, at most 0.3 %.
 * In work during the year: accepted before the period's end and not closed before it began (still
 * in work, or closed as solved/explained within or after the year). Overdue by the foundation's rule
 * (core/messages/overdue.ts): in work more than 14 days by the time it closed, or by the end of the
 * period, unless an intermediate answer came within those 14 days.
 */
export const kpi07: Indicator = {
  number: 7,
  nameRu: 'Доля просроченных сообщений за год',
  nameEn: 'Overdue messages per year',
  period: 'year',
  target: { kind: 'max_share', max: 0.003 },
  numerator: 'messages in work during the year that were overdue (14-day rule, an intermediate answer within 14 days excuses)',
  denominator: 'messages in work during the year',
  async measure(db, ctx) {
    const days = OVERDUE_DAYS;
    const { rows } = await sql<{ municipality_id: number; in_work: string; overdue: string }>`
      WITH worked AS (
        SELECT municipality_id, accepted_at, first_intermediate_at, ${ctx.at}::timestamptz AS ended
        FROM message
        WHERE municipality_id = ANY(${ctx.ids}::int[]) AND status = 'in_work' AND accepted_at < ${ctx.at} AND duplicate_of IS NULL
        UNION ALL
        SELECT municipality_id, accepted_at, first_intermediate_at, LEAST(closed_at, ${ctx.at}::timestamptz) AS ended
        FROM message
        WHERE municipality_id = ANY(${ctx.ids}::int[]) AND status IN ('solved', 'explained') AND duplicate_of IS NULL
          AND closed_at >= ${ctx.period.from} AND accepted_at < ${ctx.at})
      SELECT municipality_id, count(*) AS in_work,
             count(*) FILTER (WHERE ended > accepted_at + make_interval(days => ${days})
               AND (first_intermediate_at IS NULL OR first_intermediate_at > accepted_at + make_interval(days => ${days}))) AS overdue
      FROM worked GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.overdue), denominator: num(row?.in_work) }));
  },
};
