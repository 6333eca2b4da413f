import { sql } from 'kysely';
import { num, type Indicator } from '../indicator.ts';

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
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM kpi_publication
      WHERE municipality_id = ${ctx.municipalityId} AND published_on >= ${ctx.period.fromDay}::date AND published_on < ${ctx.period.toDay}::date`.execute(db);
    return { numerator: num(rows[0]?.n), denominator: null, accumulates: { base: 0 } };
  },
};
