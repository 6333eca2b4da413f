import { sql, type AliasedRawBuilder, type Expression, type SqlBool } from 'kysely';
import { firstAnswerHoursSql, overdueSql } from './filter.ts';

/**
 * The measures of a group of messages (a heat-map cell, a row of a slice):
 * - count: messages;
 * - overdue_share: overdue by KPI 7 (at `now`, open or closed late) among those accepted into work
 *   (only they can be overdue), as KPI 7 counts them;
 * - solved_share: solved among answered (solved + explained), as KPI 6;
 * - median_first_answer_hours: median of the hours from filing to the first answer (firstAnswerAtSql),
 *   over the messages that got one; percentile_cont, so an even count averages the middle two;
 * - avg_rating: mean of the authors' stars (1-5) over rated messages, counting only the stars given
 *   by the period's end and by `now` (statsSelection's starsCounted), as KPI 11 and the monthly report.
 * A share or mean over nothing is null, not 0.
 */
export const METRICS = ['count', 'overdue_share', 'solved_share', 'median_first_answer_hours', 'avg_rating'] as const;
export type Metric = (typeof METRICS)[number];

/** Raw counts behind the metrics, as selected by aggregateColumns. */
export interface AggregateRow {
  n: number;
  overdue: number;
  accepted: number;
  solved: number;
  answered: number;
  median_hours: number | null;
  avg_rating: number | null;
  rated: number;
}

export interface Metrics {
  count: number;
  overdueShare: number | null;
  solvedShare: number | null;
  medianFirstAnswerHours: number | null;
  avgRating: number | null;
}

/**
 * Aggregate select expressions over `message` alone (stars and when they were given come from
 * message.rating_stars and rated_at, kept by a trigger), so a period is one index-only range scan.
 * `starsCounted`: which stars count (statsSelection). The median sorts within each group: it is
 * left out (null) unless asked for.
 */
export function aggregateColumns(now: Date, starsCounted: Expression<SqlBool>, options = { median: true }): AliasedRawBuilder<unknown, string>[] {
  const overdue = overdueSql(now);
  return [
    sql`count(*)::int`.as('n'),
    sql`(count(*) FILTER (WHERE ${overdue}))::int`.as('overdue'),
    sql`(count(*) FILTER (WHERE message.accepted_at IS NOT NULL))::int`.as('accepted'),
    sql`(count(*) FILTER (WHERE message.status = 'solved'))::int`.as('solved'),
    sql`(count(*) FILTER (WHERE message.status IN ('solved', 'explained')))::int`.as('answered'),
    (options.median ? sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${firstAnswerHoursSql()})` : sql`NULL::float8`).as('median_hours'),
    sql`(avg(message.rating_stars) FILTER (WHERE ${starsCounted}))::float8`.as('avg_rating'),
    sql`(count(message.rating_stars) FILTER (WHERE ${starsCounted}))::int`.as('rated'),
  ];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const share = (part: number, whole: number) => (whole > 0 ? round(part / whole, 4) : null);

/** Shares to 4 decimals, hours and stars to 2. */
export function toMetrics(row: AggregateRow): Metrics {
  return {
    count: Number(row.n),
    overdueShare: share(Number(row.overdue), Number(row.accepted)),
    solvedShare: share(Number(row.solved), Number(row.answered)),
    medianFirstAnswerHours: row.median_hours === null ? null : round(Number(row.median_hours), 2),
    avgRating: row.avg_rating === null ? null : round(Number(row.avg_rating), 2),
  };
}
