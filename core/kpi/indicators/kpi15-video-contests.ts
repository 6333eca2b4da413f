import { sql } from 'kysely';
import { num, type Indicator } from '../indicator.ts';

/** KPI 15, yearly: the municipality's video contests («Сторис»: entry_kind = 'video') published in the year, at least 1. */
export const kpi15: Indicator = {
  number: 15,
  nameRu: 'Видео-конкурс в модуле «Сторис»',
  nameEn: 'Video contests («Stories»)',
  period: 'year',
  target: { kind: 'min_count', min: 1 },
  numerator: 'video contests published in the year',
  denominator: null,
  tables: ['contest'],
  async measure(db, ctx) {
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM contest
      WHERE municipality_id = ${ctx.municipalityId} AND entry_kind = 'video' AND state <> 'draft'
        AND published_at >= ${ctx.period.from} AND published_at < ${ctx.period.to}`.execute(db);
    return { numerator: num(rows[0]?.n), denominator: null, accumulates: { base: 0 } };
  },
};
