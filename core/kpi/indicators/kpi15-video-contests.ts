import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 15, yearly: the municipality's video contests («Сторис»: entry_kind = 'video') published in the year and not withdrawn, at least 1. */
export const kpi15: Indicator = {
  number: 15,
  nameRu: 'Видео-конкурс в модуле «Сторис»',
  nameEn: 'Video contests (“Stories”)',
  period: 'year',
  target: { kind: 'min_count', min: 1 },
  numerator: 'video contests published in the year',
  denominator: null,
  tables: ['contest'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(*) AS n FROM contest
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND entry_kind = 'video' AND state NOT IN ('draft', 'withdrawn')
        AND published_at >= ${ctx.period.from} AND published_at < ${ctx.period.to}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.n), denominator: null, accumulates: { base: 0 } }));
  },
};
