import { expressionBuilder, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Scope } from '../access/scope.ts';
import type { Db, Language } from '../db/types.ts';
import { sourceSql, statsSelection, type StatsFilter } from './filter.ts';
import { aggregateColumns, toMetrics, type AggregateRow, type Metric, type Metrics } from './metrics.ts';

/**
 * The configurable statistical slices of seed 003 («статистические срезы»): messages grouped by
 * any of these dimensions, with any of the metrics (metrics.ts). Months and ISO weeks are those
 * of the municipality's own time zone.
 */
export const DIMENSIONS = ['municipality', 'sector', 'category', 'status', 'source', 'executor', 'month', 'week'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Each dimension's key and, for directory dimensions, its human label in the language asked. */
function dimensionSql(dimension: Dimension, language: Language): { key: RawBuilder<unknown>; label?: RawBuilder<unknown> } {
  const title = (table: 'municipality' | 'sector' | 'category') => sql.ref(`${table}.${table === 'municipality' ? 'name' : 'title'}_${language}`);
  const local = sql`(message.created_at AT TIME ZONE municipality.time_zone)`;
  switch (dimension) {
    case 'municipality':
      return { key: sql`message.municipality_id`, label: title('municipality') };
    case 'sector':
      return { key: sql`category.sector_id`, label: title('sector') };
    case 'category':
      return { key: sql`message.category_id`, label: title('category') };
    case 'status':
      return { key: sql`message.status` };
    case 'source':
      return { key: sourceSql() };
    case 'executor':
      return { key: sql`message.executor_id`, label: sql`executor.name` };
    case 'month':
      return { key: sql`to_char(${local}, 'YYYY-MM')` };
    case 'week':
      return { key: sql`to_char(${local}, 'IYYY-"W"IW')` };
  }
}

/**
 * A row of a month or a week is a period of its own: its stars count only if given by that month's
 * (week's) end in the municipality's time zone, as the monthly report counts a month's, whatever
 * the filter's range (a year grouped by month does not give November the stars given in December).
 */
function groupStarsCut(groupBy: readonly Dimension[]): Expression<SqlBool>[] {
  const local = sql`(message.created_at AT TIME ZONE municipality.time_zone)`;
  const cuts: Expression<SqlBool>[] = [];
  if (groupBy.includes('month')) cuts.push(sql<SqlBool>`message.rated_at < ((date_trunc('month', ${local}) + interval '1 month') AT TIME ZONE municipality.time_zone)`);
  if (groupBy.includes('week')) cuts.push(sql<SqlBool>`message.rated_at < ((date_trunc('week', ${local}) + interval '7 days') AT TIME ZONE municipality.time_zone)`);
  return cuts;
}

/** A column of the table: a dimension's id or value, its label, or a metric. */
export interface SliceColumn {
  name: string;
  kind: 'dimension' | 'label' | 'metric';
}

export interface SliceTable {
  columns: SliceColumn[];
  rows: Record<string, string | number | null>[];
}

const METRIC_FIELD: Record<Metric, keyof Metrics> = {
  count: 'count',
  overdue_share: 'overdueShare',
  solved_share: 'solvedShare',
  median_first_answer_hours: 'medianFirstAnswerHours',
  avg_rating: 'avgRating',
};

/** Column names: `<dimension>` holds the key (an id for directory dimensions), `<dimension>_name` its label. */
export function sliceColumns(groupBy: readonly Dimension[], metrics: readonly Metric[]): SliceColumn[] {
  const columns: SliceColumn[] = [];
  for (const d of groupBy) {
    columns.push({ name: d, kind: 'dimension' });
    if (['municipality', 'sector', 'category', 'executor'].includes(d)) columns.push({ name: `${d}_name`, kind: 'label' });
  }
  for (const m of metrics) columns.push({ name: m, kind: 'metric' });
  return columns;
}

/**
 * The slice table: one row per combination of the `groupBy` values that has messages (ordered by
 * them), or a single total row when `groupBy` is empty. Executors' keys see only their messages.
 */
export async function computeSlices(
  db: Db,
  scope: Scope,
  input: { filter: StatsFilter; groupBy: readonly Dimension[]; metrics: readonly Metric[]; language: Language },
  now: Date,
): Promise<SliceTable> {
  const dims = input.groupBy.map((d) => ({ name: d, ...dimensionSql(d, input.language) }));
  const selections = dims.flatMap((d) => [d.key.as(`d_${d.name}`), ...(d.label ? [d.label.as(`l_${d.name}`)] : [])]);
  const grouping = dims.flatMap((d) => (d.label ? [d.key, d.label] : [d.key]));
  const selection = await statsSelection(db, scope, input.filter, now);
  const { where } = selection;
  const starsCounted = expressionBuilder<Database, 'message'>().and([selection.starsCounted, ...groupStarsCut(input.groupBy)]);
  let query = db
    .selectFrom('message')
    .innerJoin('municipality', 'municipality.id', 'message.municipality_id')
    .innerJoin('category', 'category.id', 'message.category_id')
    .innerJoin('sector', 'sector.id', 'category.sector_id')
    .leftJoin('executor', 'executor.id', 'message.executor_id')
    .select([...selections, ...aggregateColumns(now, starsCounted, { median: input.metrics.includes('median_first_answer_hours') })])
    .where(where);
  if (grouping.length > 0) query = query.groupBy(grouping);
  for (const d of dims) query = query.orderBy(d.key);
  const rows = (await query.execute()) as unknown as (AggregateRow & Record<string, unknown>)[];
  // With no grouping an empty filter still yields one row (count 0), as a total should.
  return {
    columns: sliceColumns(input.groupBy, input.metrics),
    rows: rows.map((row) => {
      const out: Record<string, string | number | null> = {};
      for (const d of dims) {
        out[d.name] = (row[`d_${d.name}`] as string | number | null) ?? null;
        if (d.label) out[`${d.name}_name`] = (row[`l_${d.name}`] as string | null) ?? null;
      }
      const metrics = toMetrics(row);
      for (const m of input.metrics) out[m] = metrics[METRIC_FIELD[m]];
      return out;
    }),
  };
}
