import { sql } from 'kysely';
import { num, perMunicipality, type Indicator, type Measurement } from '../indicator.ts';

/** 25 % of the population aged over 14 registered; once reached, +2 % of it registered each year. */
export const COVERAGE_SHARE = 0.25;
export const GROWTH_SHARE = 0.02;

/**
 * KPI 1, yearly. Registered residents of the municipality (registered_at set) against its
 * population aged over 14 (a directory field, PATCH /municipalities/{id}). Two phases:
 * - coverage: while fewer than 25 % were registered when the year began, the year's goal is to
 *   reach 25 %: numerator = all registered by the end of the period;
 * - growth: once 25 % was reached before the year began, numerator = registrations within the
 *   year, target 2 % of the population.
 * Both accumulate over the year: the projection extrapolates the year's registrations.
 */
export const kpi01: Indicator = {
  number: 1,
  nameRu: 'Новые пользователи, зарегистрированные на платформе',
  nameEn: 'New registered users',
  period: 'year',
  target: { kind: 'min_share', min: COVERAGE_SHARE },
  numerator: 'registered residents (coverage phase) or residents registered within the year (growth phase, once 25 % was reached before the year began)',
  denominator: 'population aged over 14 (municipality directory)',
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; total: string; before: string }>`
      SELECT municipality_id, count(*) FILTER (WHERE registered_at < ${ctx.at}) AS total,
             count(*) FILTER (WHERE registered_at < ${ctx.period.from}) AS before
      FROM resident
      WHERE municipality_id = ANY(${ctx.ids}::int[]) AND registered_at IS NOT NULL AND registered_at < ${ctx.at}
      GROUP BY municipality_id`.execute(db);
    return perMunicipality(ctx, rows, (row, m) => measureCoverage(num(row?.total), num(row?.before), m.populationOver14));
  },
};

function measureCoverage(total: number, before: number, population: number): Measurement {
  {
    const growth = population > 0 && before >= COVERAGE_SHARE * population;
    if (growth) {
      return {
        numerator: total - before,
        denominator: population,
        accumulates: { base: 0 },
        target: { kind: 'min_share', min: GROWTH_SHARE },
        details: { phase: 'growth', registeredTotal: total, registeredBefore: before },
      };
    }
    return { numerator: total, denominator: population, accumulates: { base: before }, details: { phase: 'coverage', registeredTotal: total, registeredBefore: before } };
  }
}
