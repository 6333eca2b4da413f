import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/**
 * KPI 13, yearly: management decisions taken on the result of one of the municipality's own polls
 * and published in News (poll_decision.news_item_id names a news item published in the year), at least 1.
 */
export const kpi13: Indicator = {
  number: 13,
  nameRu: 'Управленческие решения по итогам опросов, опубликованные в новостях',
  nameEn: 'Decisions on poll results published in News',
  period: 'year',
  target: { kind: 'min_count', min: 1 },
  numerator: "decisions on the municipality's polls whose news item was published in the year",
  denominator: null,
  tables: ['poll_decision', 'poll', 'news_item'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; n: string }>`
      SELECT p.municipality_id, count(DISTINCT d.id) AS n
      FROM poll_decision d
      JOIN poll p ON p.id = d.poll_id
      JOIN news_item n ON n.id = d.news_item_id
      WHERE p.municipality_id = ANY(${ctx.ids}::int[]) AND n.state IN ('published', 'archived')
        AND n.published_at >= ${ctx.period.from} AND n.published_at < ${ctx.period.to}
      GROUP BY p.municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.n), denominator: null, accumulates: { base: 0 } }));
  },
};
