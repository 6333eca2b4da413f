import { sql } from 'kysely';
import type { Indicator, Measurement, Violation } from '../indicator.ts';

/** Attributes a contest must carry (seed 000, KPI 10): dates, conditions, drawing format, prize, organiser. */
export const CONTEST_ATTRIBUTES = ['conditions', 'draw_format', 'prize', 'organiser'] as const;

/**
 * KPI 10, yearly: the municipality's own contests published in the year (published_at, not a
 * draft, not withdrawn), at least 2, each lasting at most one month (from entries_from to its last date:
 * results_on, else voting_to, else entries_to; end ≤ start + 1 calendar month) and carrying every
 * attribute. Only contests meeting both count; the others are reported as violations (they do not
 * block the indicator once two valid ones exist).
 */
export const kpi10: Indicator = {
  number: 10,
  nameRu: 'Конкурсы в опросах (до 1 месяца, со всеми атрибутами)',
  nameEn: 'Contests (up to a month, with every attribute)',
  period: 'year',
  target: { kind: 'min_count', min: 2 },
  numerator: 'contests published in the year lasting at most a month with dates, conditions, drawing format, prize and organiser',
  denominator: null,
  tables: ['contest'],
  async measure(db, ctx) {
    const { rows } = await sql<{ municipality_id: number; id: number; title: string; too_long: boolean; row: Record<string, unknown> }>`
      SELECT c.municipality_id, c.id, c.title,
             -- A calendar month in the municipality's zone (1 May to 1 June local is one month).
             (coalesce(c.results_on, c.voting_to, c.entries_to) AT TIME ZONE ${ctx.timeZone}) > (c.entries_from AT TIME ZONE ${ctx.timeZone}) + interval '1 month' AS too_long,
             to_jsonb(c) AS row
      FROM contest c
      WHERE c.municipality_id = ANY(${ctx.ids}::int[]) AND c.state NOT IN ('draft', 'withdrawn')
        AND c.published_at >= ${ctx.period.from} AND c.published_at < ${ctx.period.to}
      ORDER BY c.published_at, c.id`.execute(db);
    const result = new Map<number, Measurement>();
    for (const id of ctx.ids) result.set(id, judgeContests(rows.filter((r) => Number(r.municipality_id) === id)));
    return result;
  },
};

function judgeContests(rows: { id: number; too_long: boolean; row: Record<string, unknown> }[]): Measurement {
  {
    let valid = 0;
    const violations: Violation[] = [];
    for (const r of rows) {
      const missing = CONTEST_ATTRIBUTES.filter((a) => !present(attribute(r.row, a)));
      if (!present(r.row.entries_from) || !present(r.row.entries_to)) missing.unshift('dates' as never);
      if (r.too_long) violations.push({ rule: 'contest_longer_than_a_month', contestId: r.id });
      if (missing.length > 0) violations.push({ rule: 'contest_missing_attributes', contestId: r.id, missing });
      if (!r.too_long && missing.length === 0) valid++;
    }
    // Invalid contests are reported but do not block: only valid ones count towards the target.
    return { numerator: valid, denominator: null, accumulates: { base: 0 }, details: { contests: rows.length, notCounted: violations } };
  }
}

/** The contest table's column for each attribute (contests module: terms, drawing_format, prizes, organiser). */
const SPELLINGS: Record<(typeof CONTEST_ATTRIBUTES)[number], string[]> = {
  conditions: ['terms', 'conditions', 'rules'],
  draw_format: ['drawing_format', 'draw_format'],
  prize: ['prizes', 'prize'],
  organiser: ['organiser', 'organizer'],
};

function attribute(row: Record<string, unknown>, name: (typeof CONTEST_ATTRIBUTES)[number]): unknown {
  for (const key of SPELLINGS[name]) if (key in row) return row[key];
  return undefined;
}

function present(value: unknown): boolean {
  return value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === '');
}
