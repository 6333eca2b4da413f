import { sql } from 'kysely';
import { num, perMunicipality, type Indicator } from '../indicator.ts';

export const CULTURE_EVENTS_MIN = 40;
export const SPORT_EVENTS_MIN = 10;

/**
 * KPI 5, monthly: the municipality's events («Афиша») published in the month (published_at, not
 * cancelled): at least 40 cultural and at least 10 sport ones. The numerator is both together
 * (target 50); each kind is a part that must be met as well.
 */
export const kpi05: Indicator = {
  number: 5,
  nameRu: 'Количество размещённых культурных и спортивных событий в месяц',
  nameEn: 'Cultural and sport events published per month',
  period: 'month',
  target: { kind: 'min_count', min: CULTURE_EVENTS_MIN + SPORT_EVENTS_MIN },
  numerator: 'events published in the month (culture ≥ 40 and sport ≥ 10, each a part)',
  denominator: null,
  tables: ['afisha_event'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; culture: string; sport: string }>`
      SELECT municipality_id, count(*) FILTER (WHERE kind = 'culture') AS culture, count(*) FILTER (WHERE kind = 'sport') AS sport
      FROM afisha_event
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND state = 'published'
        AND published_at >= ${ctx.period.from} AND published_at < ${ctx.period.to}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row) => {
      const culture = num(row?.culture);
      const sport = num(row?.sport);
      return {
        numerator: culture + sport,
        denominator: null,
        accumulates: { base: 0 },
        parts: [
          { name: 'culture', numerator: culture, target: { kind: 'min_count', min: CULTURE_EVENTS_MIN } },
          { name: 'sport', numerator: sport, target: { kind: 'min_count', min: SPORT_EVENTS_MIN } },
        ],
      };
    });
  },
};
