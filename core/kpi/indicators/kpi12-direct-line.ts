import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 12, yearly: the municipality's direct-line question collections opened in the year (opened_at) and not withdrawn, at least 1. */
export const kpi12: Indicator = {
  number: 12,
  nameRu: 'Сбор вопросов для прямой линии главы',
  nameEn: "Question collections for the head's direct line",
  period: 'year',
  target: { kind: 'min_count', min: 1 },
  numerator: 'direct-line collections opened in the year',
  denominator: null,
  tables: ['direct_line'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(*) AS n FROM direct_line
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND opened_at >= ${ctx.period.from} AND opened_at < ${ctx.period.to}
        AND withdrawn_at IS NULL
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.n), denominator: null, accumulates: { base: 0 } }));
  },
};
