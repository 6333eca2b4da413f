import { sql } from 'kysely';
import { num, type Indicator } from '../indicator.ts';

/** KPI 12, yearly: the municipality's direct-line question collections opened in the year (opened_at), at least 1. */
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
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM direct_line
      WHERE municipality_id = ${ctx.municipalityId} AND opened_at >= ${ctx.period.from} AND opened_at < ${ctx.period.to}`.execute(db);
    return { numerator: num(rows[0]?.n), denominator: null, accumulates: { base: 0 } };
  },
};
