import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 4, monthly: the municipality's own news items published in the month (published_at), at least 20. */
export const kpi04: Indicator = {
  number: 4,
  nameRu: 'Количество размещённых новостей в месяц',
  nameEn: 'News published per month',
  period: 'month',
  target: { kind: 'min_count', min: 20 },
  numerator: "the municipality's news items published in the month (published or archived since)",
  denominator: null,
  tables: ['news_item'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(*) AS n FROM news_item
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND state IN ('published', 'archived')
        AND published_at >= ${ctx.period.from} AND published_at < ${ctx.period.to}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.n), denominator: null, accumulates: { base: 0 } }));
  },
};
