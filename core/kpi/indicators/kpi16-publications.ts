import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

/** KPI 16, monthly: publications about the platform (entered through POST /kpi/publications) dated in the month, at least 20. */
export const kpi16: Indicator = {
  number: 16,
  nameRu: 'Публикации о работе платформы в СМИ и на официальных ресурсах',
  nameEn: 'Publications about the platform in media and official pages',
  period: 'month',
  target: { kind: 'min_count', min: 20 },
  numerator: 'publications dated in the month',
  denominator: null,
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; n: string }>`
      SELECT municipality_id, count(*) AS n FROM kpi_publication
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND published_on >= ${ctx.period.fromDay}::date AND published_on < ${ctx.period.toDay}::date
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => ({ numerator: num(row?.n), denominator: null, accumulates: { base: 0 } }));
  },
};
