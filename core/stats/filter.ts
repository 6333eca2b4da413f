import { expressionBuilder, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { listMunicipality, type Scope } from '../access/scope.ts';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import type { MessageStatus } from '../messages/message.table.ts';
import { overduePredicate } from '../messages/overdue.ts';
import { parsePeriod, periodInstants } from './period.ts';

/**
 * Where a message came from. Today the schema knows the messenger (`channel`) and whether it was
 * found in a public post (`open_source`); the incident-management work replaces this with the
 * message's own `source` column: change MESSAGE_SOURCES and sourceSql, nothing else.
 */
export const MESSAGE_SOURCES = ['tg', 'vk', 'open_source', 'other'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

export function sourceSql(): RawBuilder<MessageSource> {
  return sql<MessageSource>`(CASE WHEN message.open_source THEN 'open_source' ELSE coalesce(message.channel, 'other') END)`;
}

/**
 * When the author first got an answer: the first approved intermediate answer or the final one
 * (solved / explained), whichever came first. Rejections and clarification requests are no answer.
 */
export function firstAnswerAtSql(): RawBuilder<Date | null> {
  return sql<Date | null>`LEAST(message.first_intermediate_at, CASE WHEN message.status IN ('solved', 'explained') THEN message.closed_at END)`;
}

/** Hours from filing to the first answer; date_part (float8), as extract's numeric is several times slower to aggregate. */
export function firstAnswerHoursSql(): RawBuilder<number | null> {
  return sql<number | null>`(date_part('epoch', ${firstAnswerAtSql()} - message.created_at) / 3600)`;
}

/** What the heat map and the slices count: messages filed in a period, narrowed by these. */
export interface StatsFilter {
  /** A local period (period.ts), resolved in each municipality's time zone. */
  period?: string;
  /** Or explicit instants: filed at or after `from`, before `to`. */
  from?: Date;
  to?: Date;
  municipalityId?: number;
  sectorId?: number;
  categoryId?: number;
  status?: MessageStatus[];
  source?: MessageSource[];
  /** true: overdue by KPI 7 at `now` (still open or closed late); false: never overdue. */
  overdue?: boolean;
  /** Only published messages (the public Open311 view). */
  published?: boolean;
}

const eb = expressionBuilder<Database, 'message'>();

/** The KPI 7 overdue predicate as a standalone expression (usable in any query over `message`). */
export function overdueSql(now: Date): Expression<SqlBool> {
  return overduePredicate(eb, now);
}

/**
 * A duplicate that entered the work is counted once, as its original (issue 18 item 18); one
 * rejected as a duplicate at moderation stays a filed message. `table`: the message table's name or alias.
 */
export function countedOnce(table = 'message'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${table}.duplicate_of`)} IS NULL OR ${sql.ref(`${table}.accepted_at`)} IS NULL)`;
}

/**
 * What the heat map and the slices read. `where`: the messages matching `filter` within `scope`:
 * scope first (a municipality outside it is MUNICIPALITY_NOT_FOUND, as everywhere in the API), then
 * the filters; a local period becomes one instant range per time zone among the municipalities
 * concerned (one, in Kuzbass). `starsCounted`:
 * whether a message's stars count: given by the period's end (the local period's end in the
 * message's municipality's time zone, or `to`) and by `now`, as KPI 11, the rankings and the monthly
 * report count them (message.rated_at). Stars given in December do not raise November's mean rating.
 */
export async function statsSelection(db: Db, scope: Scope, filter: StatsFilter, now: Date): Promise<{ where: Expression<SqlBool>; starsCounted: Expression<SqlBool> }> {
  const municipalityId = listMunicipality(scope, filter.municipalityId);
  const conditions: Expression<SqlBool>[] = [];
  const starsBy: Expression<SqlBool>[] = [eb('message.rated_at', '<=', now)];
  conditions.push(countedOnce());
  if (municipalityId !== null) conditions.push(eb('message.municipality_id', '=', municipalityId));
  if (scope.executorId !== null) conditions.push(eb('message.executor_id', '=', scope.executorId));
  if (filter.period !== undefined) {
    const period = await periodCondition(db, filter.period, municipalityId);
    conditions.push(period.where);
    starsBy.push(period.starsBy);
  }
  if (filter.from) conditions.push(eb('message.created_at', '>=', filter.from));
  if (filter.to) {
    conditions.push(eb('message.created_at', '<', filter.to));
    starsBy.push(eb('message.rated_at', '<', filter.to));
  }
  if (filter.sectorId !== undefined) {
    conditions.push(eb('message.category_id', 'in', eb.selectFrom('category').select('category.id').where('category.sector_id', '=', filter.sectorId)));
  }
  if (filter.categoryId !== undefined) conditions.push(eb('message.category_id', '=', filter.categoryId));
  if (filter.status && filter.status.length > 0) conditions.push(eb('message.status', 'in', filter.status));
  if (filter.source && filter.source.length > 0) conditions.push(eb(sourceSql(), 'in', filter.source));
  if (filter.overdue !== undefined) conditions.push(filter.overdue ? overdueSql(now) : eb.not(overdueSql(now)));
  if (filter.published !== undefined) conditions.push(eb('message.published', '=', filter.published));
  return { where: eb.and(conditions), starsCounted: eb.and(starsBy) };
}

/** The filing range of a local period, and the cut of its stars (rated before the period's end), per time zone. */
async function periodCondition(db: Db, period: string, municipalityId: number | null): Promise<{ where: Expression<SqlBool>; starsBy: Expression<SqlBool> }> {
  const range = parsePeriod(period);
  let query = db.selectFrom('municipality').select(['id', 'time_zone']);
  if (municipalityId !== null) query = query.where('id', '=', municipalityId);
  const rows = await query.execute();
  const zones = Map.groupBy(rows, (row) => row.time_zone);
  if (zones.size === 0) return { where: sql<SqlBool>`false`, starsBy: sql<SqlBool>`false` };
  const ranges = [...zones].map(([zone, inZone]) => {
    const ids = inZone.map((row) => row.id);
    const { from, to } = periodInstants(range, zone);
    const inRange = eb.and([eb('message.created_at', '>=', from), eb('message.created_at', '<', to)]);
    const ratedBy = eb('message.rated_at', '<', to);
    // With a single zone the range alone is exact and keeps the plan a plain index range scan.
    if (zones.size === 1) return { inRange, ratedBy };
    const inZoneIds = eb('message.municipality_id', 'in', ids);
    return { inRange: eb.and([inZoneIds, inRange]), ratedBy: eb.and([inZoneIds, ratedBy]) };
  });
  if (ranges.length === 1) return { where: ranges[0]!.inRange, starsBy: ranges[0]!.ratedBy };
  return { where: eb.or(ranges.map((r) => r.inRange)), starsBy: eb.or(ranges.map((r) => r.ratedBy)) };
}
